ALTER TABLE "change_sets" ADD COLUMN "created_by_api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "approved_by_api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "committed_by_api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancelled_by_api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "change_sets" ADD CONSTRAINT "change_sets_created_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_approved_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("approved_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_committed_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("committed_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_cancelled_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("cancelled_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_approver_one_kind" CHECK (approved_by is null or approved_by_api_key_id is null);--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_committer_one_kind" CHECK (committed_by is null or committed_by_api_key_id is null);--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_canceller_one_kind" CHECK (cancelled_by is null or cancelled_by_api_key_id is null);