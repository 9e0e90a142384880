/*
 * action_tool: runs one action of src/action.h the way the UI does
 * (action_new, action_preview, action_start, each ending in a callback
 * from the model's loop) and prints what a caller gets, so integration
 * tests can check the kinds the command line does not reach.
 *
 *   action_tool [--cluster NAME] [--region R] [--readonly] [--dry-run]
 *               KIND [key=value ...]
 *
 * KIND is the kind's name with '-' for ' ' (annotate-serviceaccount,
 * attach-policy, ...). Keys are the members of struct action
 * (namespace, service_account, role, role_arn, policy_arn, policy_name,
 * document, description, sts_regional, token_expiration), policy=ARN
 * once per managed policy, and document=@PATH to read a file.
 *
 * Output: the preview (cli_action_print_preview), then unless --dry-run
 * one "step NAME: STATE" line per progress step and "result: TEXT".
 * Exit 0 on success, 1 when the action failed (its error on stderr),
 * 2 for bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/http.h"
#include "../../src/action.h"
#include "../../src/cli.h"
#include "../../src/cli_action.h"

static int parse_kind(const char *name, enum action_kind *kind)
{
    for (int k = 0; k < ACTION_KIND_COUNT; k++) {
        char want[80];
        snprintf(want, sizeof(want), "%s", action_kind_name(k));
        for (char *p = want; *p; p++)
            if (*p == ' ')
                *p = '-';
        if (!strcmp(name, want)) {
            *kind = (enum action_kind)k;
            return 0;
        }
    }
    return -1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 20);
    if (f && buf)
        fread(buf, 1, (1 << 20) - 1, f);
    if (f)
        fclose(f);
    return buf;
}

/* Sets key=value in a; returns 0, or -1 for an unknown key. */
static int set_member(struct action *a, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    const char *v = eq + 1;
    if (!strcmp(arg, "document") && v[0] == '@')
        v = read_file(v + 1);   /* freed at exit */
    struct { const char *key; const char **member; } keys[] = {
        {"namespace", &a->namespace},
        {"service_account", &a->service_account},
        {"role", &a->role}, {"role_arn", &a->role_arn},
        {"policy_arn", &a->policy_arn}, {"policy_name", &a->policy_name},
        {"document", &a->document}, {"description", &a->description},
        {"sts_regional", &a->sts_regional},
        {"token_expiration", &a->token_expiration},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(arg, keys[i].key)) {
            *keys[i].member = v;
            return 0;
        }
    if (!strcmp(arg, "policy") && a->policy_arn_count < ACTION_MAX_POLICIES) {
        a->policy_arns[a->policy_arn_count++] = v;
        return 0;
    }
    return -1;
}

static void print_progress(const struct action_run *r)
{
    for (size_t i = 0; i < r->progress.count; i++)
        printf("step %s: %s\n", r->progress.steps[i].name,
               progress_state_name(r->progress.steps[i].state));
    if (r->result)
        printf("result: %s\n", r->result);
}

static int run(struct model *m, const struct action *a, int dry_run)
{
    struct api_error err;
    struct action_run *r = action_new(m, a, &err);
    if (!r) {
        fprintf(stderr, "action_tool: %s: %s\n", err.code, err.message);
        return 2;
    }
    int rc = cli_action_step(m, r, 1, &err);
    if (rc == 0) {
        cli_action_print_preview(stdout, &r->preview);
        if (!dry_run) {
            rc = cli_action_step(m, r, 0, &err);
            print_progress(r);
        }
    }
    if (rc < 0)
        fprintf(stderr, "action_tool: %s: %s\n", err.code, err.message);
    action_free(r);
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct model_options mo = {0};
    struct action a = {0};
    int dry_run = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--cluster") && i + 1 < argc)
            mo.cluster = argv[++i];
        else if (!strcmp(argv[i], "--region") && i + 1 < argc)
            mo.region = argv[++i];
        else if (!strcmp(argv[i], "--readonly"))
            mo.readonly = 1;
        else if (!strcmp(argv[i], "--dry-run"))
            dry_run = 1;
        else
            break;
    }
    if (i >= argc || parse_kind(argv[i], &a.kind) < 0) {
        fprintf(stderr, "action_tool: unknown or missing KIND\n");
        return 2;
    }
    for (i++; i < argc; i++)
        if (set_member(&a, argv[i]) < 0) {
            fprintf(stderr, "action_tool: bad member %s\n", argv[i]);
            return 2;
        }
    a.cluster = mo.cluster;
    a.poll_ms = 50;
    http_global_init();
    struct model m;
    char why[1024];
    if (model_init(&m, &mo, why, sizeof(why)) < 0) {
        fprintf(stderr, "action_tool: %s\n", why);
        return 2;
    }
    int rc = mo.cluster && cli_open_cluster(&m, stderr) ? 1
             : run(&m, &a, dry_run);
    model_cleanup(&m);
    http_global_cleanup();
    return rc;
}
