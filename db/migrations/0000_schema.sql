CREATE TYPE "public"."change_object" AS ENUM('account', 'opportunity', 'split');--> statement-breakpoint
CREATE TYPE "public"."commission_item_status" AS ENUM('pending', 'processing', 'complete', 'error');--> statement-breakpoint
CREATE TYPE "public"."commission_type" AS ENUM('house_absorbs', 'direct_transfer', 'custom');--> statement-breakpoint
CREATE TYPE "public"."conflict_resolution" AS ENUM('accept', 'override', 'exclude');--> statement-breakpoint
CREATE TYPE "public"."conflict_severity" AS ENUM('blocking', 'warning');--> statement-breakpoint
CREATE TYPE "public"."idempotency_status" AS ENUM('in_progress', 'completed');--> statement-breakpoint
CREATE TYPE "public"."import_kind" AS ENUM('accounts', 'reps', 'opportunities', 'revenue_schedules');--> statement-breakpoint
CREATE TYPE "public"."import_source" AS ENUM('upload', 'google_sheet', 'api');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('pending', 'parsing', 'previewed', 'applying', 'applied', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('queued', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."member_role" AS ENUM('admin', 'manager', 'analyst', 'rep', 'finance');--> statement-breakpoint
CREATE TYPE "public"."notice_status" AS ENUM('pending', 'sending', 'sent', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."opportunity_status" AS ENUM('open', 'closed_won', 'closed_lost');--> statement-breakpoint
CREATE TYPE "public"."rep_kind" AS ENUM('person', 'house', 'subagent');--> statement-breakpoint
CREATE TYPE "public"."run_kind" AS ENUM('rep_departure', 'realignment', 'new_hire', 'account', 'opportunity');--> statement-breakpoint
CREATE TYPE "public"."run_scope" AS ENUM('ownership', 'open_opportunities', 'complete');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('draft', 'solving', 'solved', 'in_review', 'approved', 'committing', 'committed', 'rolled_back', 'cancelled', 'failed');--> statement-breakpoint
CREATE TYPE "public"."split_role" AS ENUM('house', 'rep', 'subagent');--> statement-breakpoint
CREATE TABLE "account_team_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"rep_id" uuid NOT NULL,
	"team_role" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_team_members_account_rep_unique" UNIQUE("account_id","rep_id")
);
--> statement-breakpoint
ALTER TABLE "account_team_members" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"crm_id" text NOT NULL,
	"name" text NOT NULL,
	"owner_rep_id" uuid,
	"annual_revenue_cents" bigint DEFAULT 0 NOT NULL,
	"region" text,
	"country" text,
	"tier" text,
	"type" text,
	"industry" text,
	"segment" text,
	"is_house" boolean DEFAULT false NOT NULL,
	"is_co_owned" boolean DEFAULT false NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_import_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"owner_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "accounts_org_crm_id_unique" UNIQUE("org_id","crm_id"),
	CONSTRAINT "accounts_revenue_nonnegative" CHECK (annual_revenue_cents >= 0)
);
--> statement-breakpoint
ALTER TABLE "accounts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" "member_role" NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" uuid,
	"actor_api_key_id" uuid,
	"actor_label" text,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"run_id" uuid,
	"request_id" text,
	"before" jsonb,
	"after" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_org_seq_unique" UNIQUE("org_id","seq")
);
--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "change_set_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"change_set_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"object" "change_object" NOT NULL,
	"record_id" uuid NOT NULL,
	"crm_id" text,
	"record_name" text,
	"from_rep_id" uuid,
	"to_rep_id" uuid,
	"effective_date" date,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	CONSTRAINT "change_set_items_set_seq_unique" UNIQUE("change_set_id","seq")
);
--> statement-breakpoint
ALTER TABLE "change_set_items" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "change_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"hash" text NOT NULL,
	"body" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"item_count" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "change_sets_run_unique" UNIQUE("run_id"),
	CONSTRAINT "change_sets_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "change_sets_item_count_nonnegative" CHECK (item_count >= 0)
);
--> statement-breakpoint
ALTER TABLE "change_sets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "column_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"preset" text,
	"header_signature" text,
	"mapping" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "column_mappings_org_kind_name_unique" UNIQUE("org_id","kind","name")
);
--> statement-breakpoint
ALTER TABLE "column_mappings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commission_adjustments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"revenue_schedule_id" uuid,
	"rep_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"amount_cents" bigint NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commission_adjustments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "commission_splits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"rep_id" uuid NOT NULL,
	"role" "split_role" NOT NULL,
	"bps" integer NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commission_splits_bps_range" CHECK (bps between 0 and 10000),
	CONSTRAINT "commission_splits_dates_ordered" CHECK (effective_to is null or effective_to >= effective_from)
);
--> statement-breakpoint
ALTER TABLE "commission_splits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "conflicts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"account_id" uuid,
	"opportunity_id" uuid,
	"rep_id" uuid,
	"kind" text NOT NULL,
	"severity" "conflict_severity" NOT NULL,
	"message" text NOT NULL,
	"details" jsonb,
	"resolution" "conflict_resolution",
	"override_rep_id" uuid,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conflicts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" "idempotency_status" DEFAULT 'in_progress' NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"actor_user_id" uuid,
	"actor_api_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotency_keys_org_key_unique" UNIQUE("org_id","key")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "import_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"column" text,
	"value" text,
	"reason" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_errors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "import_snapshot_accounts" (
	"org_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"crm_id" text NOT NULL,
	"account_id" uuid,
	"owner_rep_id" uuid,
	"owner_crm_ref" text,
	"annual_revenue_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "import_snapshot_accounts_pk" PRIMARY KEY("import_id","crm_id")
);
--> statement-breakpoint
ALTER TABLE "import_snapshot_accounts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" "import_kind" NOT NULL,
	"source" "import_source" NOT NULL,
	"source_name" text,
	"file_hash" text NOT NULL,
	"byte_size" integer,
	"preset" text,
	"mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "import_status" DEFAULT 'pending' NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_inserted" integer DEFAULT 0 NOT NULL,
	"rows_updated" integer DEFAULT 0 NOT NULL,
	"rows_unchanged" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"errors_csv" text,
	"failure_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "imports_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "imports_counts_nonnegative" CHECK (rows_read >= 0 and rows_inserted >= 0 and rows_updated >= 0 and rows_unchanged >= 0 and rows_rejected >= 0)
);
--> statement-breakpoint
ALTER TABLE "imports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "job_status" DEFAULT 'queued' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"progress" jsonb,
	"result" jsonb,
	"error" text,
	"cancel_requested_at" timestamp with time zone,
	"dedupe_key" text,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "jobs_attempts_nonnegative" CHECK (attempts >= 0 and max_attempts >= 1)
);
--> statement-breakpoint
ALTER TABLE "jobs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "login_attempts_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
ALTER TABLE "login_attempts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "member_role" NOT NULL,
	"rep_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_org_user_unique" UNIQUE("org_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid,
	"kind" text NOT NULL,
	"recipient_email" text NOT NULL,
	"recipient_name" text,
	"recipient_rep_id" uuid,
	"recipient_user_id" uuid,
	"subject" text NOT NULL,
	"html" text NOT NULL,
	"text" text NOT NULL,
	"status" "notice_status" DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"provider_id" text,
	"sent_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notices_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "notices_idempotency_key_length" CHECK (length(idempotency_key) between 1 and 256),
	CONSTRAINT "notices_attempts_nonnegative" CHECK (attempts >= 0)
);
--> statement-breakpoint
ALTER TABLE "notices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "opportunities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"crm_id" text NOT NULL,
	"account_id" uuid NOT NULL,
	"name" text NOT NULL,
	"owner_rep_id" uuid,
	"stage" text NOT NULL,
	"is_billing_stage" boolean DEFAULT false NOT NULL,
	"status" "opportunity_status" DEFAULT 'open' NOT NULL,
	"amount_cents" bigint DEFAULT 0 NOT NULL,
	"close_date" date,
	"created_date" date NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_import_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "opportunities_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "opportunities_org_crm_id_unique" UNIQUE("org_id","crm_id"),
	CONSTRAINT "opportunities_amount_nonnegative" CHECK (amount_cents >= 0)
);
--> statement-breakpoint
ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "orgs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"rollback_window_hours" integer DEFAULT 48 NOT NULL,
	"two_person_approval" boolean DEFAULT false NOT NULL,
	"closing_within_days" integer DEFAULT 30 NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orgs_slug_unique" UNIQUE("slug"),
	CONSTRAINT "orgs_rollback_window_hours_positive" CHECK (rollback_window_hours >= 0),
	CONSTRAINT "orgs_closing_within_days_positive" CHECK (closing_within_days >= 0)
);
--> statement-breakpoint
ALTER TABLE "orgs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "reps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" "rep_kind" DEFAULT 'person' NOT NULL,
	"crm_user_id" text,
	"name" text NOT NULL,
	"email" text,
	"region" text,
	"segment" text,
	"active" boolean DEFAULT true NOT NULL,
	"may_receive" boolean DEFAULT true NOT NULL,
	"max_accounts" integer,
	"max_revenue_cents" bigint,
	"seniority" integer DEFAULT 0 NOT NULL,
	"weight_bps" integer DEFAULT 10000 NOT NULL,
	"start_date" date,
	"end_date" date,
	"ramp_target_bps" integer,
	"manager_rep_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reps_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "reps_org_crm_user_id_unique" UNIQUE("org_id","crm_user_id"),
	CONSTRAINT "reps_max_accounts_nonnegative" CHECK (max_accounts is null or max_accounts >= 0),
	CONSTRAINT "reps_max_revenue_nonnegative" CHECK (max_revenue_cents is null or max_revenue_cents >= 0),
	CONSTRAINT "reps_weight_bps_range" CHECK (weight_bps between 0 and 100000),
	CONSTRAINT "reps_ramp_target_bps_range" CHECK (ramp_target_bps is null or ramp_target_bps between 0 and 10000)
);
--> statement-breakpoint
ALTER TABLE "reps" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "revenue_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"amount_cents" bigint NOT NULL,
	"paid" boolean DEFAULT false NOT NULL,
	"paid_at" timestamp with time zone,
	"reconciled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revenue_schedules_opportunity_period_unique" UNIQUE("opportunity_id","period_start"),
	CONSTRAINT "revenue_schedules_amount_nonnegative" CHECK (amount_cents >= 0),
	CONSTRAINT "revenue_schedules_period_ordered" CHECK (period_end >= period_start)
);
--> statement-breakpoint
ALTER TABLE "revenue_schedules" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "rulesets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rulesets_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "rulesets_org_name_version_unique" UNIQUE("org_id","name","version"),
	CONSTRAINT "rulesets_version_positive" CHECK (version >= 1)
);
--> statement-breakpoint
ALTER TABLE "rulesets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "run_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"from_rep_id" uuid,
	"to_rep_id" uuid,
	"reason" text,
	"explanation" jsonb,
	"pinned" boolean DEFAULT false NOT NULL,
	"excluded" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_assignments_run_account_unique" UNIQUE("run_id","account_id")
);
--> statement-breakpoint
ALTER TABLE "run_assignments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "run_opportunity_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"from_rep_id" uuid,
	"to_rep_id" uuid,
	"commission_type" "commission_type",
	"custom_bps" integer,
	"before_splits" jsonb,
	"after_splits" jsonb,
	"status" "commission_item_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_opportunity_changes_run_opportunity_unique" UNIQUE("run_id","opportunity_id"),
	CONSTRAINT "run_opportunity_changes_custom_bps_range" CHECK (custom_bps is null or custom_bps between 0 and 10000)
);
--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" "run_kind" NOT NULL,
	"scope" "run_scope" DEFAULT 'ownership' NOT NULL,
	"status" "run_status" DEFAULT 'draft' NOT NULL,
	"reason" text NOT NULL,
	"commission_end_date" date,
	"reassignment_date" date,
	"ruleset_id" uuid,
	"import_id" uuid,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"drafted_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"proposal_hash" text,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"approved_hash" text,
	"committed_by" uuid,
	"committed_at" timestamp with time zone,
	"rolled_back_by" uuid,
	"rolled_back_at" timestamp with time zone,
	"cancelled_by" uuid,
	"cancelled_at" timestamp with time zone,
	"failure_reason" text,
	"solver_engine" text,
	"solver_status" text,
	"solver_objective" double precision,
	"solver_bound" double precision,
	"solver_gap" double precision,
	"solve_ms" integer,
	"metrics" jsonb,
	CONSTRAINT "runs_org_id_id_unique" UNIQUE("org_id","id"),
	CONSTRAINT "runs_reason_present" CHECK (length(trim(reason)) > 0),
	CONSTRAINT "runs_reassignment_after_end" CHECK (reassignment_date is null or commission_end_date is null or reassignment_date >= commission_end_date),
	CONSTRAINT "runs_solver_gap_nonnegative" CHECK (solver_gap is null or solver_gap >= 0)
);
--> statement-breakpoint
ALTER TABLE "runs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"active_org_id" uuid,
	"csrf_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_ip" text,
	"created_user_agent" text,
	CONSTRAINT "sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "sessions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"password_changed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "account_team_members" ADD CONSTRAINT "account_team_members_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_team_members" ADD CONSTRAINT "account_team_members_account_fk" FOREIGN KEY ("org_id","account_id") REFERENCES "public"."accounts"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_team_members" ADD CONSTRAINT "account_team_members_rep_fk" FOREIGN KEY ("org_id","rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_fk" FOREIGN KEY ("org_id","owner_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "change_set_items" ADD CONSTRAINT "change_set_items_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "change_set_items" ADD CONSTRAINT "change_set_items_change_set_fk" FOREIGN KEY ("org_id","change_set_id") REFERENCES "public"."change_sets"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "change_sets" ADD CONSTRAINT "change_sets_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "change_sets" ADD CONSTRAINT "change_sets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "change_sets" ADD CONSTRAINT "change_sets_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "column_mappings" ADD CONSTRAINT "column_mappings_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "column_mappings" ADD CONSTRAINT "column_mappings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_adjustments" ADD CONSTRAINT "commission_adjustments_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_adjustments" ADD CONSTRAINT "commission_adjustments_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_adjustments" ADD CONSTRAINT "commission_adjustments_opportunity_fk" FOREIGN KEY ("org_id","opportunity_id") REFERENCES "public"."opportunities"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_adjustments" ADD CONSTRAINT "commission_adjustments_rep_fk" FOREIGN KEY ("org_id","rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_splits" ADD CONSTRAINT "commission_splits_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_splits" ADD CONSTRAINT "commission_splits_opportunity_fk" FOREIGN KEY ("org_id","opportunity_id") REFERENCES "public"."opportunities"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_splits" ADD CONSTRAINT "commission_splits_rep_fk" FOREIGN KEY ("org_id","rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conflicts" ADD CONSTRAINT "conflicts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conflicts" ADD CONSTRAINT "conflicts_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conflicts" ADD CONSTRAINT "conflicts_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conflicts" ADD CONSTRAINT "conflicts_override_rep_fk" FOREIGN KEY ("org_id","override_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_errors" ADD CONSTRAINT "import_errors_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_errors" ADD CONSTRAINT "import_errors_import_fk" FOREIGN KEY ("org_id","import_id") REFERENCES "public"."imports"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_snapshot_accounts" ADD CONSTRAINT "import_snapshot_accounts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_snapshot_accounts" ADD CONSTRAINT "import_snapshot_accounts_import_fk" FOREIGN KEY ("org_id","import_id") REFERENCES "public"."imports"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_rep_fk" FOREIGN KEY ("org_id","rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_account_fk" FOREIGN KEY ("org_id","account_id") REFERENCES "public"."accounts"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_owner_fk" FOREIGN KEY ("org_id","owner_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reps" ADD CONSTRAINT "reps_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reps" ADD CONSTRAINT "reps_manager_fk" FOREIGN KEY ("org_id","manager_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revenue_schedules" ADD CONSTRAINT "revenue_schedules_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revenue_schedules" ADD CONSTRAINT "revenue_schedules_opportunity_fk" FOREIGN KEY ("org_id","opportunity_id") REFERENCES "public"."opportunities"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rulesets" ADD CONSTRAINT "rulesets_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rulesets" ADD CONSTRAINT "rulesets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_assignments" ADD CONSTRAINT "run_assignments_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_assignments" ADD CONSTRAINT "run_assignments_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_assignments" ADD CONSTRAINT "run_assignments_account_fk" FOREIGN KEY ("org_id","account_id") REFERENCES "public"."accounts"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_assignments" ADD CONSTRAINT "run_assignments_from_rep_fk" FOREIGN KEY ("org_id","from_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_assignments" ADD CONSTRAINT "run_assignments_to_rep_fk" FOREIGN KEY ("org_id","to_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ADD CONSTRAINT "run_opportunity_changes_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ADD CONSTRAINT "run_opportunity_changes_run_fk" FOREIGN KEY ("org_id","run_id") REFERENCES "public"."runs"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ADD CONSTRAINT "run_opportunity_changes_opportunity_fk" FOREIGN KEY ("org_id","opportunity_id") REFERENCES "public"."opportunities"("org_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ADD CONSTRAINT "run_opportunity_changes_from_rep_fk" FOREIGN KEY ("org_id","from_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_opportunity_changes" ADD CONSTRAINT "run_opportunity_changes_to_rep_fk" FOREIGN KEY ("org_id","to_rep_id") REFERENCES "public"."reps"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_drafted_by_users_id_fk" FOREIGN KEY ("drafted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_committed_by_users_id_fk" FOREIGN KEY ("committed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_rolled_back_by_users_id_fk" FOREIGN KEY ("rolled_back_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_cancelled_by_users_id_fk" FOREIGN KEY ("cancelled_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_ruleset_fk" FOREIGN KEY ("org_id","ruleset_id") REFERENCES "public"."rulesets"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_import_fk" FOREIGN KEY ("org_id","import_id") REFERENCES "public"."imports"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_active_org_id_orgs_id_fk" FOREIGN KEY ("active_org_id") REFERENCES "public"."orgs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_team_members_org_id_idx" ON "account_team_members" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "accounts_org_id_idx" ON "accounts" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "accounts_org_owner_idx" ON "accounts" USING btree ("org_id","owner_rep_id");--> statement-breakpoint
CREATE INDEX "api_keys_org_id_idx" ON "api_keys" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "audit_events_org_id_idx" ON "audit_events" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "audit_events_org_run_idx" ON "audit_events" USING btree ("org_id","run_id");--> statement-breakpoint
CREATE INDEX "change_set_items_org_id_idx" ON "change_set_items" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "change_sets_org_id_idx" ON "change_sets" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "column_mappings_org_id_idx" ON "column_mappings" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "commission_adjustments_org_id_idx" ON "commission_adjustments" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "commission_adjustments_org_run_idx" ON "commission_adjustments" USING btree ("org_id","run_id");--> statement-breakpoint
CREATE INDEX "commission_splits_org_id_idx" ON "commission_splits" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "commission_splits_org_opportunity_idx" ON "commission_splits" USING btree ("org_id","opportunity_id");--> statement-breakpoint
CREATE INDEX "conflicts_org_id_idx" ON "conflicts" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "conflicts_org_run_idx" ON "conflicts" USING btree ("org_id","run_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_org_id_idx" ON "idempotency_keys" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "import_errors_org_id_idx" ON "import_errors" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "import_errors_import_row_idx" ON "import_errors" USING btree ("import_id","row_number");--> statement-breakpoint
CREATE INDEX "import_snapshot_accounts_org_id_idx" ON "import_snapshot_accounts" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "imports_org_id_idx" ON "imports" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "imports_org_file_hash_idx" ON "imports" USING btree ("org_id","file_hash");--> statement-breakpoint
CREATE INDEX "jobs_org_id_idx" ON "jobs" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_active_dedupe_unique" ON "jobs" USING btree ("org_id","dedupe_key") WHERE dedupe_key is not null and status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "memberships_org_id_idx" ON "memberships" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "memberships_user_id_idx" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "notices_org_id_idx" ON "notices" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "notices_org_run_idx" ON "notices" USING btree ("org_id","run_id");--> statement-breakpoint
CREATE INDEX "notices_due_idx" ON "notices" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "opportunities_org_id_idx" ON "opportunities" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "opportunities_org_account_idx" ON "opportunities" USING btree ("org_id","account_id");--> statement-breakpoint
CREATE INDEX "reps_org_id_idx" ON "reps" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "revenue_schedules_org_id_idx" ON "revenue_schedules" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "rulesets_org_id_idx" ON "rulesets" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "run_assignments_org_id_idx" ON "run_assignments" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "run_assignments_org_run_idx" ON "run_assignments" USING btree ("org_id","run_id");--> statement-breakpoint
CREATE INDEX "run_opportunity_changes_org_id_idx" ON "run_opportunity_changes" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "runs_org_id_idx" ON "runs" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "runs_org_status_idx" ON "runs" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_unique" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE POLICY "account_team_members: only rows of the current org" ON "account_team_members" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "accounts: only rows of the current org" ON "accounts" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "api_keys: only rows of the current org" ON "api_keys" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "audit_events: only rows of the current org" ON "audit_events" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "change_set_items: only rows of the current org" ON "change_set_items" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "change_sets: only rows of the current org" ON "change_sets" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "column_mappings: only rows of the current org" ON "column_mappings" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "commission_adjustments: only rows of the current org" ON "commission_adjustments" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "commission_splits: only rows of the current org" ON "commission_splits" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "conflicts: only rows of the current org" ON "conflicts" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "idempotency_keys: only rows of the current org" ON "idempotency_keys" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "import_errors: only rows of the current org" ON "import_errors" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "import_snapshot_accounts: only rows of the current org" ON "import_snapshot_accounts" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "imports: only rows of the current org" ON "imports" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "jobs: only rows of the current org" ON "jobs" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "login_attempts: open counters for throttling" ON "login_attempts" AS PERMISSIVE FOR ALL TO public USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "memberships: only rows of the current org" ON "memberships" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "memberships: a user sees their own memberships" ON "memberships" AS PERMISSIVE FOR SELECT TO public USING (user_id = (select nullif(current_setting('app.user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "notices: only rows of the current org" ON "notices" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "opportunities: only rows of the current org" ON "opportunities" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "orgs: the current org is readable and editable" ON "orgs" AS PERMISSIVE FOR ALL TO public USING (id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "orgs: members see the orgs they belong to" ON "orgs" AS PERMISSIVE FOR SELECT TO public USING (exists (select 1 from memberships m where m.org_id = orgs.id and m.user_id = (select nullif(current_setting('app.user_id', true), '')::uuid)));--> statement-breakpoint
CREATE POLICY "reps: only rows of the current org" ON "reps" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "revenue_schedules: only rows of the current org" ON "revenue_schedules" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "rulesets: only rows of the current org" ON "rulesets" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "run_assignments: only rows of the current org" ON "run_assignments" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "run_opportunity_changes: only rows of the current org" ON "run_opportunity_changes" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "runs: only rows of the current org" ON "runs" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "sessions: a user sees and ends only their own sessions" ON "sessions" AS PERMISSIVE FOR ALL TO public USING (user_id = (select nullif(current_setting('app.user_id', true), '')::uuid)) WITH CHECK (user_id = (select nullif(current_setting('app.user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "users: a user sees themself" ON "users" AS PERMISSIVE FOR SELECT TO public USING (id = (select nullif(current_setting('app.user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "users: members of the current org are visible" ON "users" AS PERMISSIVE FOR SELECT TO public USING (exists (select 1 from memberships m where m.user_id = users.id and m.org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)));--> statement-breakpoint
CREATE POLICY "users: a user edits their own profile" ON "users" AS PERMISSIVE FOR UPDATE TO public USING (id = (select nullif(current_setting('app.user_id', true), '')::uuid)) WITH CHECK (id = (select nullif(current_setting('app.user_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "users: created only while working in an org" ON "users" AS PERMISSIVE FOR INSERT TO public WITH CHECK ((select nullif(current_setting('app.org_id', true), '')::uuid) is not null);