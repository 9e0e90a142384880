/*
 * Writing a ClusterConfig with libyaml's emitter, so quoting and escapes
 * follow YAML. Strings that a YAML 1.1 reader such as eksctl's would take
 * for a number, boolean or null are double-quoted.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "clusterconfig.h"

struct writer {
    yaml_document_t doc;
    int failed;
};

static int looks_typed(const char *s)
{
    static const char *const words[] = {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };
    if (!*s)
        return 1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i]) == 0)
            return 1;
    /* Anything a number parser could take: 1, 1.30, -2, 1e3, 0x1f, .5 */
    return strspn(s, "0123456789+-.eExXabcdefABCDEF_") == strlen(s) &&
           (isdigit((unsigned char)s[0]) || strchr("+-.", s[0]));
}

static int add_scalar(struct writer *w, const char *text, int typed_value)
{
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    if (typed_value)
        style = YAML_PLAIN_SCALAR_STYLE;
    else if (looks_typed(text))
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    int id = yaml_document_add_scalar(&w->doc, NULL, (yaml_char_t *)text, -1,
                                      style);
    if (!id)
        w->failed = 1;
    return id;
}

static int add_map(struct writer *w)
{
    int id = yaml_document_add_mapping(&w->doc, NULL,
                                       YAML_BLOCK_MAPPING_STYLE);
    if (!id)
        w->failed = 1;
    return id;
}

static int add_seq(struct writer *w)
{
    int id = yaml_document_add_sequence(&w->doc, NULL,
                                        YAML_BLOCK_SEQUENCE_STYLE);
    if (!id)
        w->failed = 1;
    return id;
}

/* libyaml asserts that node ids are valid, so a node that could not be
 * added (id 0) only marks the document as failed. */
static void put(struct writer *w, int map, const char *key, int value)
{
    int k = add_scalar(w, key, 0);
    if (!map || !k || !value)
        w->failed = 1;
    if (!w->failed && !yaml_document_append_mapping_pair(&w->doc, map, k,
                                                         value))
        w->failed = 1;
}

static void append(struct writer *w, int seq, int item)
{
    if (!seq || !item)
        w->failed = 1;
    if (!w->failed && !yaml_document_append_sequence_item(&w->doc, seq, item))
        w->failed = 1;
}

static void put_str(struct writer *w, int map, const char *key,
                    const char *value)
{
    if (value)
        put(w, map, key, add_scalar(w, value, 0));
}

static void put_int(struct writer *w, int map, const char *key, int value)
{
    char text[24];
    snprintf(text, sizeof(text), "%d", value);
    put(w, map, key, add_scalar(w, text, 1));
}

static void put_bool(struct writer *w, int map, const char *key, int value)
{
    put(w, map, key, add_scalar(w, value ? "true" : "false", 1));
}

static void put_map(struct writer *w, int map, const char *key,
                    const struct ccfg_map *m)
{
    if (!m->count)
        return;
    int sub = add_map(w);
    for (size_t i = 0; i < m->count; i++)
        put_str(w, sub, m->items[i].key, m->items[i].value);
    put(w, map, key, sub);
}

static void put_strings(struct writer *w, int map, const char *key,
                        char *const *items, size_t count)
{
    if (!count)
        return;
    int seq = add_seq(w);
    for (size_t i = 0; i < count; i++)
        append(w, seq, add_scalar(w, items[i], 0));
    put(w, map, key, seq);
}

static int json_node(struct writer *w, const cJSON *item)
{
    if (cJSON_IsObject(item)) {
        int map = add_map(w);
        for (const cJSON *c = item->child; c; c = c->next)
            put(w, map, c->string, json_node(w, c));
        return map;
    }
    if (cJSON_IsArray(item)) {
        int seq = add_seq(w);
        for (const cJSON *c = item->child; c; c = c->next)
            append(w, seq, json_node(w, c));
        return seq;
    }
    if (cJSON_IsString(item))
        return add_scalar(w, item->valuestring, 0);
    char *text = cJSON_PrintUnformatted(item);
    int id = add_scalar(w, text ? text : "null", 1);
    cJSON_free(text);
    return id;
}

static void write_metadata(struct writer *w, int root, const struct ccfg *c)
{
    int meta = add_map(w);
    put_str(w, meta, "name", c->name);
    put_str(w, meta, "region", c->region);
    /* Always quoted: a plain 1.30 is the number 1.3 to eksctl. */
    put(w, meta, "version", yaml_document_add_scalar(&w->doc, NULL,
        (yaml_char_t *)c->version, -1, YAML_DOUBLE_QUOTED_SCALAR_STYLE));
    put_map(w, meta, "tags", &c->tags);
    put(w, root, "metadata", meta);
}

static void write_subnets(struct writer *w, int vpc, const struct ccfg *c)
{
    if (!c->subnet_count)
        return;
    int groups = add_map(w);
    for (int is_private = 0; is_private <= 1; is_private++) {
        int group = 0;
        for (size_t i = 0; i < c->subnet_count; i++) {
            const struct ccfg_subnet *s = &c->subnets[i];
            if (s->is_private != is_private)
                continue;
            if (!group)
                group = add_map(w);
            int entry = add_map(w);
            put_str(w, entry, "id", s->id);
            put_str(w, entry, "az", s->az);
            put_str(w, entry, "cidr", s->cidr);
            put(w, group, s->name, entry);
        }
        if (group)
            put(w, groups, is_private ? "private" : "public", group);
    }
    put(w, vpc, "subnets", groups);
}

static void write_vpc(struct writer *w, int root, const struct ccfg *c)
{
    int vpc = add_map(w);
    put_str(w, vpc, "id", c->vpc_id);
    put_str(w, vpc, "cidr", c->vpc_cidr);
    int nat = add_map(w);
    put_str(w, nat, "gateway", ccfg_nat_name(c->nat));
    put(w, vpc, "nat", nat);
    write_subnets(w, vpc, c);
    put(w, root, "vpc", vpc);
}

static int service_account_node(struct writer *w,
                                const struct ccfg_service_account *sa)
{
    int item = add_map(w);
    int meta = add_map(w);
    put_str(w, meta, "name", sa->name);
    put_str(w, meta, "namespace", sa->namespace_name);
    put(w, item, "metadata", meta);
    put_strings(w, item, "attachPolicyARNs", sa->policy_arns,
                sa->policy_arn_count);
    if (sa->inline_policy) {
        cJSON *json = cJSON_Parse(sa->inline_policy);
        if (json)
            put(w, item, "attachPolicy", json_node(w, json));
        else
            w->failed = 1;
        cJSON_Delete(json);
    }
    put_str(w, item, "roleName", sa->role_name);
    if (sa->lb_controller) {
        int known = add_map(w);
        put_bool(w, known, "awsLoadBalancerController", 1);
        put(w, item, "wellKnownPolicies", known);
    }
    return item;
}

static void write_iam(struct writer *w, int root, const struct ccfg *c)
{
    int iam = add_map(w);
    put_bool(w, iam, "withOIDC", c->with_oidc);
    if (c->service_account_count) {
        int seq = add_seq(w);
        for (size_t i = 0; i < c->service_account_count; i++)
            append(w, seq, service_account_node(w, &c->service_accounts[i]));
        put(w, iam, "serviceAccounts", seq);
    }
    put(w, root, "iam", iam);
}

static int nodegroup_node(struct writer *w, const struct ccfg_nodegroup *ng)
{
    int item = add_map(w);
    put_str(w, item, "name", ng->name);
    put_str(w, item, "instanceType", ng->instance_type);
    put_int(w, item, "desiredCapacity", ng->desired_capacity);
    put_int(w, item, "minSize", ng->min_size);
    put_int(w, item, "maxSize", ng->max_size);
    put_int(w, item, "volumeSize", ng->volume_size);
    put_bool(w, item, "privateNetworking", ng->private_networking);
    put_map(w, item, "labels", &ng->labels);
    put_map(w, item, "tags", &ng->tags);
    return item;
}

static void write_nodegroups(struct writer *w, int root, const struct ccfg *c,
                             int managed)
{
    int seq = 0;
    for (size_t i = 0; i < c->nodegroup_count; i++) {
        if (c->nodegroups[i].managed != managed)
            continue;
        if (!seq)
            seq = add_seq(w);
        append(w, seq, nodegroup_node(w, &c->nodegroups[i]));
    }
    if (seq)
        put(w, root, managed ? "managedNodeGroups" : "nodeGroups", seq);
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return buf_append(data, buffer, size) == 0;
}

static int emit(struct writer *w, struct buf *out)
{
    yaml_emitter_t emitter;
    if (!yaml_emitter_initialize(&emitter)) {
        yaml_document_delete(&w->doc);
        return -1;
    }
    yaml_emitter_set_output(&emitter, write_handler, out);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, 100);
    /* yaml_emitter_dump deletes the document, whatever it returns. */
    int ok = yaml_emitter_open(&emitter) &&
             yaml_emitter_dump(&emitter, &w->doc) &&
             yaml_emitter_close(&emitter);
    yaml_emitter_delete(&emitter);
    return ok ? 0 : -1;
}

int ccfg_write(const struct ccfg *c, struct buf *out)
{
    struct writer w = { .failed = 0 };
    if (!yaml_document_initialize(&w.doc, NULL, NULL, NULL, 1, 1))
        return -1;
    int root = add_map(&w);
    put_str(&w, root, "apiVersion", CCFG_API_VERSION);
    put_str(&w, root, "kind", CCFG_KIND);
    write_metadata(&w, root, c);
    put_strings(&w, root, "availabilityZones", c->zones, c->zone_count);
    write_vpc(&w, root, c);
    write_iam(&w, root, c);
    write_nodegroups(&w, root, c, 0);
    write_nodegroups(&w, root, c, 1);
    if (w.failed) {
        yaml_document_delete(&w.doc);
        return -1;
    }
    return emit(&w, out);
}
