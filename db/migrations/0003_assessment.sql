CREATE TABLE "remediation_action_measures" (
	"action_id" uuid NOT NULL,
	"node_id" uuid NOT NULL,
	CONSTRAINT "remediation_action_measures_action_id_node_id_pk" PRIMARY KEY("action_id","node_id")
);
--> statement-breakpoint
CREATE TABLE "remediation_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"assessment_id" uuid,
	"title" text NOT NULL,
	"description" text,
	"owner_id" uuid,
	"due_date" date,
	"priority" text DEFAULT 'medium' NOT NULL,
	"effort" text,
	"cost_estimate" numeric(12, 2),
	"status" text DEFAULT 'todo' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"reminder_before_sent_at" timestamp with time zone,
	"reminder_late_sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assessment_answers" (
	"assessment_id" uuid NOT NULL,
	"node_id" uuid NOT NULL,
	"status" text,
	"maturity" integer,
	"comment" text,
	"question_answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assessment_answers_assessment_id_node_id_pk" PRIMARY KEY("assessment_id","node_id")
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"framework_id" uuid NOT NULL,
	"campaign_id" uuid,
	"title" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"submitted_by" uuid,
	"validated_at" timestamp with time zone,
	"validated_by" uuid,
	"score" real,
	"answered_count" integer DEFAULT 0 NOT NULL,
	"assessable_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"framework_id" uuid NOT NULL,
	"title" text NOT NULL,
	"deadline" date NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assessment_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assessment_id" uuid NOT NULL,
	"node_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"url" text,
	"file_key" text,
	"file_name" text,
	"mime_type" text,
	"size" integer,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_framework_nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"framework_id" uuid NOT NULL,
	"urn" text NOT NULL,
	"parent_urn" text,
	"ref_id" text,
	"name" text,
	"description" text,
	"annotation" text,
	"typical_evidence" text,
	"depth" integer NOT NULL,
	"assessable" boolean NOT NULL,
	"position" integer NOT NULL,
	"implementation_groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"priority" text,
	"maturity_levels" jsonb,
	"suggested_actions" jsonb,
	"sources" jsonb,
	"questions" jsonb,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_frameworks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"library_urn" text NOT NULL,
	"urn" text NOT NULL,
	"ref_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"version" integer NOT NULL,
	"locale" text DEFAULT 'fr' NOT NULL,
	"provider" text,
	"copyright" text,
	"origin" text NOT NULL,
	"kind" text DEFAULT 'other' NOT NULL,
	"min_score" integer DEFAULT 0 NOT NULL,
	"max_score" integer DEFAULT 3 NOT NULL,
	"scores_definition" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"implementation_groups" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"imported_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funding_declarations" (
	"milestone_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"status" text NOT NULL,
	"evidence" text,
	"comment" text,
	"review_comment" text,
	"declared_by" uuid,
	"declared_at" timestamp with time zone NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	CONSTRAINT "funding_declarations_milestone_id_org_id_pk" PRIMARY KEY("milestone_id","org_id")
);
--> statement-breakpoint
CREATE TABLE "funding_milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"programme_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"amount" numeric(12, 2),
	"position" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funding_programmes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_node_scores" (
	"assessment_id" uuid NOT NULL,
	"node_id" uuid NOT NULL,
	"score" real,
	"answered" integer NOT NULL,
	"total" integer NOT NULL,
	CONSTRAINT "assessment_node_scores_assessment_id_node_id_pk" PRIMARY KEY("assessment_id","node_id")
);
--> statement-breakpoint
ALTER TABLE "remediation_action_measures" ADD CONSTRAINT "remediation_action_measures_action_id_remediation_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."remediation_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_action_measures" ADD CONSTRAINT "remediation_action_measures_node_id_assessment_framework_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."assessment_framework_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_actions" ADD CONSTRAINT "remediation_actions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_actions" ADD CONSTRAINT "remediation_actions_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_actions" ADD CONSTRAINT "remediation_actions_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remediation_actions" ADD CONSTRAINT "remediation_actions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_answers" ADD CONSTRAINT "assessment_answers_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_answers" ADD CONSTRAINT "assessment_answers_node_id_assessment_framework_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."assessment_framework_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_answers" ADD CONSTRAINT "assessment_answers_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_framework_id_assessment_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."assessment_frameworks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_campaign_id_assessment_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."assessment_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_validated_by_users_id_fk" FOREIGN KEY ("validated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_campaigns" ADD CONSTRAINT "assessment_campaigns_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_campaigns" ADD CONSTRAINT "assessment_campaigns_framework_id_assessment_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."assessment_frameworks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_campaigns" ADD CONSTRAINT "assessment_campaigns_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_evidence" ADD CONSTRAINT "assessment_evidence_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_evidence" ADD CONSTRAINT "assessment_evidence_node_id_assessment_framework_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."assessment_framework_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_evidence" ADD CONSTRAINT "assessment_evidence_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_framework_nodes" ADD CONSTRAINT "assessment_framework_nodes_framework_id_assessment_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."assessment_frameworks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_frameworks" ADD CONSTRAINT "assessment_frameworks_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_declarations" ADD CONSTRAINT "funding_declarations_milestone_id_funding_milestones_id_fk" FOREIGN KEY ("milestone_id") REFERENCES "public"."funding_milestones"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_declarations" ADD CONSTRAINT "funding_declarations_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_declarations" ADD CONSTRAINT "funding_declarations_declared_by_users_id_fk" FOREIGN KEY ("declared_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_declarations" ADD CONSTRAINT "funding_declarations_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_milestones" ADD CONSTRAINT "funding_milestones_programme_id_funding_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."funding_programmes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funding_programmes" ADD CONSTRAINT "funding_programmes_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_node_scores" ADD CONSTRAINT "assessment_node_scores_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_node_scores" ADD CONSTRAINT "assessment_node_scores_node_id_assessment_framework_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."assessment_framework_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "remediation_action_measures_node_idx" ON "remediation_action_measures" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "remediation_actions_org_idx" ON "remediation_actions" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "remediation_actions_due_idx" ON "remediation_actions" USING btree ("status","due_date");--> statement-breakpoint
CREATE INDEX "assessments_org_idx" ON "assessments" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "assessments_campaign_idx" ON "assessments" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "assessments_campaign_org_key" ON "assessments" USING btree ("campaign_id","org_id");--> statement-breakpoint
CREATE INDEX "assessment_campaigns_org_idx" ON "assessment_campaigns" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "assessment_evidence_answer_idx" ON "assessment_evidence" USING btree ("assessment_id","node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_framework_nodes_urn_key" ON "assessment_framework_nodes" USING btree ("framework_id","urn");--> statement-breakpoint
CREATE INDEX "assessment_framework_nodes_parent_idx" ON "assessment_framework_nodes" USING btree ("framework_id","parent_urn");--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_frameworks_library_key" ON "assessment_frameworks" USING btree ("library_urn");--> statement-breakpoint
CREATE UNIQUE INDEX "funding_milestones_code_key" ON "funding_milestones" USING btree ("programme_id","code");--> statement-breakpoint
CREATE INDEX "assessment_node_scores_node_idx" ON "assessment_node_scores" USING btree ("node_id");