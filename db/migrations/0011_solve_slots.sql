CREATE TABLE "solve_slots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"holder" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "solve_slots_kind" CHECK (kind in ('run', 'what_if'))
);
--> statement-breakpoint
ALTER TABLE "solve_slots" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "solve_slots" ADD CONSTRAINT "solve_slots_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "solve_slots_org_id_idx" ON "solve_slots" USING btree ("org_id");--> statement-breakpoint
CREATE POLICY "solve_slots: only rows of the current org" ON "solve_slots" AS PERMISSIVE FOR ALL TO public USING (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)) WITH CHECK (org_id = (select nullif(current_setting('app.org_id', true), '')::uuid));