/* Template building blocks shared by the cfn_*.c files. Like xstrdup,
 * they abort when memory runs out, so a template is never missing a
 * node in silence. */
#ifndef ALBATROSS_CFN_INTERNAL_H
#define ALBATROSS_CFN_INTERNAL_H

#include "cfn.h"

cJSON *cfn_ref(const char *logical_id);
cJSON *cfn_get_att(const char *logical_id, const char *attribute);
cJSON *cfn_sub(const char *text);
cJSON *cfn_import(const char *export_name);
/* {"Fn::Select": [index, {"Fn::GetAZs": ""}]}: a zone of the stack's
 * region, chosen when the stack is created. */
cJSON *cfn_zone_select(size_t index);
/* arn:PARTITION:iam::aws:policy/NAME, the partition taken from the stack. */
cJSON *cfn_aws_policy_arn(const char *name);

/* A template with its format version, description and empty Resources
 * and Outputs. */
cJSON *cfn_new_template(const char *description);
/* Adds resource id of type and returns its (empty) Properties object. */
cJSON *cfn_add_resource(cJSON *template, const char *id, const char *type);
void cfn_depends_on(cJSON *template, const char *id, const char *on);
/* Adds an output; with export_it, exported as STACK::NAME as eksctl does. */
void cfn_add_output(cJSON *template, const char *name, cJSON *value,
                    int export_it);

/* [{"Key": k, "Value": v}, ...] with a Name tag of STACK/name first when
 * name is given. */
cJSON *cfn_tag_list(const char *name, const struct ccfg_map *tags);
void cfn_add_tag(cJSON *list, const char *key, const char *value);

/* Name of zone i in logical ids: USWEST2A, or AZ1 when the zone is chosen
 * at creation. */
void cfn_zone_suffix(const struct ccfg *c, size_t i, char *out, size_t len);

/* A trust policy letting service (eks.amazonaws.com) assume the role,
 * with sts:TagSession too when tag_session is set. */
cJSON *cfn_service_trust_policy(const char *service, int tag_session);

/* cJSON's constructors and adders, aborting when memory runs out. */
cJSON *cfn_need(cJSON *node);
void cfn_put(cJSON *object, const char *key, cJSON *value);
void cfn_put_string(cJSON *object, const char *key, const char *value);
void cfn_append(cJSON *array, cJSON *value);
cJSON *cfn_string(const char *value);

#endif
