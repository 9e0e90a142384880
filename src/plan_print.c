/* The plan printed for a person (text) or a program (JSON). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "plan.h"

#define DEFAULT_MARK " (default)"

static const char *const kind_names[] = {
    [PLAN_CREATE_STACK] = "create stack",
    [PLAN_DELETE_STACK] = "delete stack",
    [PLAN_CALL] = "call",
};

static const char *const kind_keys[] = {
    [PLAN_CREATE_STACK] = "createStack",
    [PLAN_DELETE_STACK] = "deleteStack",
    [PLAN_CALL] = "call",
};

static const char *mark(unsigned defaults, unsigned bit)
{
    return defaults & bit ? DEFAULT_MARK : "";
}

/* Tags, labels and policies come from the file: print them as text a
 * terminal does not act on. */
static void print_pair(FILE *out, const char *indent,
                       const struct ccfg_pair *pair)
{
    fputs(indent, out);
    output_put_text(out, pair->key);
    fputc('=', out);
    output_put_text(out, pair->value);
    fputc('\n', out);
}

/* Multi-line text, each line made safe for a terminal. */
static void put_lines(FILE *out, const char *text)
{
    char *copy = strdup(text);
    char *save = NULL;
    for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        output_put_text(out, line);
        fputc('\n', out);
    }
    free(copy);
}

static void print_cluster(FILE *out, const struct ccfg *c)
{
    fprintf(out, "Cluster\n  Kubernetes version   %s%s\n", c->version,
            mark(c->defaults, CCFG_DEF_VERSION));
    if (c->zone_count) {
        fputs("  availability zones  ", out);
        for (size_t i = 0; i < c->zone_count; i++)
            fprintf(out, " %s", c->zones[i]);
        fputc('\n', out);
    } else if (!c->vpc_id) {
        fprintf(out, "  availability zones   %zu zones of %s, chosen when "
                "the stack is created%s\n", c->default_zone_count, c->region,
                mark(c->defaults, CCFG_DEF_ZONES));
    }
    if (c->vpc_id)
        fprintf(out, "  VPC                  existing %s, %zu subnets\n",
                c->vpc_id, c->subnet_count);
    else
        fprintf(out, "  VPC                  new, %s%s, NAT gateway %s%s\n",
                c->vpc_cidr, mark(c->defaults, CCFG_DEF_CIDR),
                ccfg_nat_name(c->nat), mark(c->defaults, CCFG_DEF_NAT));
    fprintf(out, "  IAM OIDC provider    %s%s\n", c->with_oidc ? "yes" : "no",
            mark(c->defaults, CCFG_DEF_OIDC));
    for (size_t i = 0; i < c->tags.count; i++)
        print_pair(out, "  tag                  ", &c->tags.items[i]);
}

static void print_nodegroups(FILE *out, const struct ccfg *c)
{
    for (size_t i = 0; i < c->nodegroup_count; i++) {
        const struct ccfg_nodegroup *ng = &c->nodegroups[i];
        unsigned d = ng->defaults;
        fprintf(out, "Node group %s (%s)\n", ng->name,
                ng->managed ? "managed" : "unmanaged");
        fprintf(out, "  instance type        %s%s\n", ng->instance_type,
                mark(d, CCFG_NG_DEF_INSTANCE_TYPE));
        fprintf(out, "  desired capacity     %d%s\n", ng->desired_capacity,
                mark(d, CCFG_NG_DEF_DESIRED));
        fprintf(out, "  min size             %d%s\n", ng->min_size,
                mark(d, CCFG_NG_DEF_MIN));
        fprintf(out, "  max size             %d%s\n", ng->max_size,
                mark(d, CCFG_NG_DEF_MAX));
        fprintf(out, "  volume size          %d GiB%s\n", ng->volume_size,
                mark(d, CCFG_NG_DEF_VOLUME));
        fprintf(out, "  subnets              %s%s\n",
                ng->private_networking ? "private" : "public",
                mark(d, CCFG_NG_DEF_PRIVATE));
    }
}

static void print_service_accounts(FILE *out, const struct ccfg *c)
{
    for (size_t i = 0; i < c->service_account_count; i++) {
        const struct ccfg_service_account *sa = &c->service_accounts[i];
        fprintf(out, "Service account %s/%s%s\n", sa->namespace_name,
                sa->name, sa->defaults & CCFG_SA_DEF_NAMESPACE
                ? " (namespace: default)" : "");
        for (size_t j = 0; j < sa->policy_arn_count; j++)
            fprintf(out, "  managed policy       %s\n", sa->policy_arns[j]);
        if (sa->inline_policy) {
            fputs("  inline policy        ", out);
            output_put_text(out, sa->inline_policy);
            fputc('\n', out);
        }
        if (sa->lb_controller)
            fputs("  well-known policy    awsLoadBalancerController\n", out);
        if (sa->role_name)
            fprintf(out, "  role name            %s\n", sa->role_name);
    }
}

static void print_step(FILE *out, const struct plan *p, size_t index,
                       int show_templates)
{
    const struct plan_step *s = &p->steps[index];
    fprintf(out, "%2zu. %s %s", index + 1, kind_names[s->kind], s->name);
    for (size_t j = 0; j < s->depend_count; j++)
        fprintf(out, "%s%zu", j ? ", " : "   after ", s->depends_on[j] + 1);
    fprintf(out, "\n    %s\n", s->description);
    if (s->tags.count) {
        fputs("    tags:\n", out);
        for (size_t j = 0; j < s->tags.count; j++)
            print_pair(out, "      ", &s->tags.items[j]);
    }
    if (s->resource_count)
        fprintf(out, "    resources (%zu):\n", s->resource_count);
    for (size_t j = 0; j < s->resource_count; j++)
        fprintf(out, "      %-36s %s\n", s->resources[j].logical_id,
                s->resources[j].type);
    for (size_t j = 0; j < s->note_count; j++)
        fprintf(out, "    note: %s\n", s->notes[j]);
    if (show_templates && s->template_json) {
        fputs("    template:\n", out);
        put_lines(out, s->template_json);
    }
}

void plan_print_text(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates)
{
    fprintf(out, "Plan for EKS cluster %s in %s, from %s\n", c->name,
            c->region, c->source);
    fputs("(default) marks a value set by eksctl's defaults, not by the "
          "file.\n\n", out);
    print_cluster(out, c);
    print_nodegroups(out, c);
    print_service_accounts(out, c);
    fprintf(out, "\nSteps, in order (%zu):\n", p->count);
    for (size_t i = 0; i < p->count; i++)
        print_step(out, p, i, show_templates);
}

/* ---- JSON ---- */

static void add_default(cJSON *list, const char *path)
{
    cJSON_AddItemToArray(list, cJSON_CreateString(path));
}

static void add_nodegroup_defaults(cJSON *list,
                                   const struct ccfg_nodegroup *ng)
{
    static const struct { unsigned bit; const char *field; } fields[] = {
        {CCFG_NG_DEF_INSTANCE_TYPE, "instanceType"},
        {CCFG_NG_DEF_DESIRED, "desiredCapacity"},
        {CCFG_NG_DEF_MIN, "minSize"},
        {CCFG_NG_DEF_MAX, "maxSize"},
        {CCFG_NG_DEF_VOLUME, "volumeSize"},
        {CCFG_NG_DEF_PRIVATE, "privateNetworking"},
    };
    char base[64], path[96];
    ccfg_nodegroup_path(ng, base, sizeof(base));
    for (size_t j = 0; j < sizeof(fields) / sizeof(fields[0]); j++)
        if (ng->defaults & fields[j].bit) {
            snprintf(path, sizeof(path), "%s.%s", base, fields[j].field);
            add_default(list, path);
        }
}

/* Paths of the fields eksctl's defaults filled in. */
static cJSON *default_paths(const struct ccfg *c)
{
    cJSON *list = cJSON_CreateArray();
    if (c->defaults & CCFG_DEF_VERSION)
        add_default(list, "metadata.version");
    if (c->defaults & CCFG_DEF_ZONES)
        add_default(list, "availabilityZones");
    if (c->defaults & CCFG_DEF_CIDR)
        add_default(list, "vpc.cidr");
    if (c->defaults & CCFG_DEF_NAT)
        add_default(list, "vpc.nat.gateway");
    if (c->defaults & CCFG_DEF_OIDC)
        add_default(list, "iam.withOIDC");
    for (size_t i = 0; i < c->nodegroup_count; i++)
        add_nodegroup_defaults(list, &c->nodegroups[i]);
    for (size_t i = 0; i < c->service_account_count; i++)
        if (c->service_accounts[i].defaults & CCFG_SA_DEF_NAMESPACE) {
            char path[64];
            snprintf(path, sizeof(path),
                     "iam.serviceAccounts[%zu].metadata.namespace", i);
            add_default(list, path);
        }
    return list;
}

static cJSON *cluster_json(const struct ccfg *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "region", c->region);
    cJSON_AddStringToObject(o, "version", c->version);
    cJSON_AddNumberToObject(o, "zoneCount", (double)(c->zone_count
        ? c->zone_count : c->default_zone_count));
    if (c->vpc_cidr)
        cJSON_AddStringToObject(o, "vpcCidr", c->vpc_cidr);
    if (c->vpc_id)
        cJSON_AddStringToObject(o, "vpcId", c->vpc_id);
    cJSON_AddStringToObject(o, "natGateway", ccfg_nat_name(c->nat));
    cJSON_AddBoolToObject(o, "withOIDC", c->with_oidc);
    cJSON_AddItemToObject(o, "defaults", default_paths(c));
    return o;
}

static cJSON *step_json(const struct plan *p, size_t index,
                        int show_templates)
{
    const struct plan_step *s = &p->steps[index];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)(index + 1));
    cJSON_AddStringToObject(o, "action", kind_keys[s->kind]);
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "description", s->description);
    cJSON *depends = cJSON_AddArrayToObject(o, "dependsOn");
    for (size_t j = 0; j < s->depend_count; j++)
        cJSON_AddItemToArray(depends, cJSON_CreateNumber(
            (double)(s->depends_on[j] + 1)));
    cJSON *tags = cJSON_AddObjectToObject(o, "tags");
    for (size_t j = 0; j < s->tags.count; j++)
        cJSON_AddStringToObject(tags, s->tags.items[j].key,
                                s->tags.items[j].value);
    cJSON *resources = cJSON_AddArrayToObject(o, "resources");
    for (size_t j = 0; j < s->resource_count; j++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "logicalId", s->resources[j].logical_id);
        cJSON_AddStringToObject(r, "type", s->resources[j].type);
        cJSON_AddItemToArray(resources, r);
    }
    cJSON *notes = cJSON_AddArrayToObject(o, "notes");
    for (size_t j = 0; j < s->note_count; j++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(s->notes[j]));
    if (show_templates && s->template_json)
        cJSON_AddItemToObject(o, "template",
                              cJSON_Parse(s->template_json));
    return o;
}

void plan_print_json(FILE *out, const struct ccfg *c, const struct plan *p,
                     int show_templates)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "cluster", cluster_json(c));
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (size_t i = 0; i < p->count; i++)
        cJSON_AddItemToArray(steps, step_json(p, i, show_templates));
    char *text = cJSON_Print(root);
    if (text)
        fprintf(out, "%s\n", text);
    else
        output_error(stderr, "out of memory while printing the plan");
    cJSON_free(text);
    cJSON_Delete(root);
}
