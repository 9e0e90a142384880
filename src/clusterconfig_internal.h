/* Shared between the ClusterConfig reader's files; not for other callers. */
#ifndef ALBATROSS_CLUSTERCONFIG_INTERNAL_H
#define ALBATROSS_CLUSTERCONFIG_INTERNAL_H

#include <yaml.h>

#include "../api/yamldoc.h"
#include "clusterconfig.h"

#define CCFG_PATH_MAX 256

struct ccfg_reader {
    struct ydoc *doc;
    struct ccfg *c;
    struct ccfg_errors *errors;
    int seen_api_version;
    int seen_kind;
};

/* Reads value (at path) into target, a struct the table belongs to. */
typedef void (*ccfg_field_read)(struct ccfg_reader *r, yaml_node_t *value,
                                const char *path, void *target);

struct ccfg_field {
    const char *key;
    ccfg_field_read read;
};

/* Adds "FILE:LINE: PATH: MESSAGE" for node n. */
void ccfg_reader_fail(struct ccfg_reader *r, const yaml_node_t *n,
                      const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads each key of map through fields; reports keys not in the table. */
void ccfg_read_fields(struct ccfg_reader *r, yaml_node_t *map,
                      const char *path, const struct ccfg_field *fields,
                      void *target);

int ccfg_is_null(const yaml_node_t *n);
/* Scalar text; NULL for null (silently) or for a non-scalar (reported). */
const char *ccfg_read_scalar(struct ccfg_reader *r, const yaml_node_t *n,
                             const char *path);
void ccfg_read_string(struct ccfg_reader *r, const yaml_node_t *n,
                      const char *path, char **dst);
/* Each returns 1 when a valid value was stored, else 0. */
int ccfg_read_int(struct ccfg_reader *r, const yaml_node_t *n,
                  const char *path, int *dst);
int ccfg_read_bool(struct ccfg_reader *r, const yaml_node_t *n,
                   const char *path, int *dst);
void ccfg_read_map(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   struct ccfg_map *dst);
void ccfg_read_string_list(struct ccfg_reader *r, yaml_node_t *n,
                           const char *path, char ***items, size_t *count);

/* Readers of the sections in clusterconfig_read.c; target is the ccfg. */
void ccfg_read_vpc(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   void *target);
void ccfg_read_nodegroups(struct ccfg_reader *r, yaml_node_t *n,
                          const char *path, void *target);
void ccfg_read_managed_nodegroups(struct ccfg_reader *r, yaml_node_t *n,
                                  const char *path, void *target);
void ccfg_read_iam(struct ccfg_reader *r, yaml_node_t *n, const char *path,
                   void *target);

#endif
