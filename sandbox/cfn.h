/*
 * CloudFormation in the sandbox: stacks with their resources and events.
 * cfn_template.c and cfn_intrinsic.c read templates, and cfn_engine.c runs
 * stacks on the sandbox clock. The resource types (cfn_ec2.c, cfn_eks.c,
 * cfn_iam.c) create their resources in the world state the other APIs
 * serve. Everything runs under the server's lock: the API handlers
 * (aws_cfn.c) change stacks, and cfn_tick moves them on as the sandbox
 * clock passes.
 */
#ifndef SANDBOX_CFN_H
#define SANDBOX_CFN_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "world.h"

enum cfn_state {
    CFN_PENDING,        /* not started */
    CFN_CREATING,       /* CREATE_IN_PROGRESS until ready_at */
    CFN_CREATED,
    CFN_CREATE_FAILED,
    CFN_DELETING,       /* DELETE_IN_PROGRESS until ready_at */
    CFN_DELETED,
    CFN_DELETE_FAILED,
};

struct cfn_resource {
    char *logical_id;
    char *type;
    const cJSON *def;           /* its entry in the stack's template */
    size_t *deps;               /* indices of the resources it needs */
    size_t dep_count;
    int skipped;                /* its Condition is false */
    enum cfn_state state;
    char *reason;               /* ResourceStatusReason, or NULL */
    char *physical_id;          /* NULL until created */
    cJSON *attrs;               /* Fn::GetAtt values, an object */
    cJSON *props;               /* the resolved Properties */
    int exists;                 /* the world holds what it created */
    double ready_at;            /* sandbox clock */
    double updated;             /* sandbox clock of the last change */
    unsigned long started;      /* order of creation, for deletion */
};

struct cfn_event {
    char *id;
    char *logical_id;
    char *physical_id;
    char *type;
    char *status;
    char *reason;
    double clock;
};

struct cfn_stack {
    char *id;                   /* arn:aws:cloudformation:...:stack/NAME/UUID */
    char *name;
    char *region;
    char *body;                 /* TemplateBody as given */
    cJSON *template;
    struct world_kv_list params;    /* every parameter, resolved */
    struct world_kv_list tags;
    char **capabilities;
    size_t capability_count;
    char *status;
    char *reason;
    double created_clock;
    time_t created_wall;
    double deleted_clock;       /* 0 until DELETE_COMPLETE */
    double sim;                 /* the engine has run the stack to here */
    struct cfn_resource *resources;
    size_t resource_count;
    struct cfn_event *events;   /* oldest first */
    size_t event_count;
    cJSON *outputs;             /* [{OutputKey, OutputValue, ...}] */
    unsigned long serial;       /* next value of cfn_resource.started */
};

struct cfn_world {
    struct cfn_stack **stacks;  /* oldest first; deleted ones stay */
    size_t count;
};

/* ---- stacks (cfn_engine.c) ----------------------------------------------- */

/* The world's stacks, made on first use; NULL when memory runs out. */
struct cfn_world *cfn_world(struct world *w);
void cfn_free(struct cfn_world *cw);
/* The live stack called name_or_id in region (any stack when given its
 * id), or NULL. */
struct cfn_stack *cfn_find(struct world *w, const char *region,
                           const char *name_or_id);
/* Starts creating s, which the world then owns. */
int cfn_start_create(struct world *w, struct cfn_stack *s);
void cfn_start_delete(struct world *w, struct cfn_stack *s);
/* Moves every stack on to the sandbox clock's now. */
void cfn_tick(struct world *w);
void cfn_free_stack(struct cfn_stack *s);
/* Wall time of the sandbox clock value c for s, "...T..:..:..123Z". */
void cfn_format_time(const struct cfn_stack *s, double c, char out[32]);
int cfn_is_live(const struct cfn_stack *s);
/* CREATE_COMPLETE ..., or NULL for a resource not started. */
const char *cfn_resource_status(const struct cfn_resource *r);

/* ---- templates (cfn_template.c) ------------------------------------------ */

/* Checks the template of s (its body parsed into s->template) and the
 * parameters given, fills s->resources and s->params. Returns NULL, or
 * the error code with CloudFormation's message in msg. */
const char *cfn_template_load(struct world *w, struct cfn_stack *s,
                              const struct world_kv_list *given,
                              char *msg, size_t len);

/* ---- intrinsic functions (cfn_intrinsic.c) ------------------------------- */

/* What resolving a value in a stack may read. */
struct cfn_ctx {
    struct world *w;
    struct cfn_stack *s;
};

/* A special value: AWS::NoValue, dropped from objects and lists. */
extern cJSON cfn_no_value;

/* value with every intrinsic function evaluated: a new tree, or NULL
 * with the reason in err. */
cJSON *cfn_resolve(const struct cfn_ctx *x, const cJSON *value, char *err,
                   size_t len);
/* Whether the named condition holds; -1 with err when it cannot be
 * evaluated. */
int cfn_condition(const struct cfn_ctx *x, const char *name, char *err,
                  size_t len);
/* Adds to *names the logical ids value refers to (Ref, Fn::GetAtt,
 * Fn::Sub) that are not parameters or pseudo parameters. */
int cfn_references(const cJSON *value, const cJSON *params,
                   char ***names, size_t *count);
/* The stack's AZs for Fn::GetAZs: REGIONa, b, c. */
cJSON *cfn_azs(const char *region);

/* ---- resource types (cfn_ec2.c, cfn_eks.c, cfn_iam.c) -------------------- */

struct cfn_op {
    struct world *w;
    struct cfn_stack *s;
    struct cfn_resource *res;
    const cJSON *props;         /* resolved, never NULL */
    char reason[1024];
};

struct cfn_type {
    const char *name;           /* AWS::EC2::VPC */
    int iam;                    /* needs CAPABILITY_IAM */
    const char *named_iam;      /* property that makes it CAPABILITY_NAMED_IAM */
    /* Create sets res->physical_id and res->attrs; returns 0, or -1
     * with the reason in op->reason. */
    int (*create)(struct cfn_op *op);
    /* Called when creation time is over (e.g. the cluster is ACTIVE). */
    void (*ready)(struct cfn_op *op);
    int (*remove)(struct cfn_op *op);
    double (*duration)(const struct world *w);
};

const struct cfn_type *cfn_type(const char *name);
extern const struct cfn_type cfn_ec2_types[];
extern const struct cfn_type cfn_eks_types[];
extern const struct cfn_type cfn_iam_types[];

/* Helpers for the resource types (cfn_ec2.c). */
const char *cfn_prop(const struct cfn_op *op, const char *name);
/* "MESSAGE (Service: SERVICE; Status Code: 400; Error Code: CODE;
 * Request ID: UUID; Proxy: null)" in op->reason; returns -1. */
int cfn_fail(struct cfn_op *op, const char *service, const char *code,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A new id PREFIX + 17 hex digits, unique to the stack and resource. */
char *cfn_new_id(const struct cfn_op *op, const char *prefix);
/* The name CloudFormation gives a resource whose template names none:
 * STACK-LOGICALID-RANDOM (IAM) or LOGICALID-RANDOM. */
char *cfn_physical_name(const struct cfn_op *op, int with_stack);
/* The stack's tags and the Tags property, for taggable resources, with
 * the aws:cloudformation:* tags when stack_tags is set (IAM refuses
 * keys that start with aws:, and CloudFormation leaves them off). */
int cfn_tags(const struct cfn_op *op, int stack_tags,
             struct world_kv_list *out);
int cfn_set_attr(struct cfn_resource *res, const char *name,
                 const char *value);
/* The live resource of any stack whose type is type and physical id id,
 * or NULL: stack-held records (route tables, gateways). */
const struct cfn_resource *cfn_held(struct world *w, const char *type,
                                    const char *prop, const char *value);

#endif
