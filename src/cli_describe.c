/*
 * albatross describe ingress NAMESPACE/NAME: loads the ingress's chain on
 * the same model and event loop as the UI and prints it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "chain_print.h"
#include "cli.h"
#include "output.h"

/* Prints "albatross: " and the message with control characters replaced,
 * because messages quote names and replies from the servers. */
static void fail(FILE *err, const char *what, const struct api_error *e)
{
    char line[1200];
    snprintf(line, sizeof(line), "%s%s%s%s%s", what ? what : "",
             what && e ? ": " : "", e ? e->code : "", e ? ": " : "",
             e ? e->message : "");
    output_error(err, "%s", line);
}

int cli_split_name(const char *arg, char *ns, size_t nslen, char *name,
                   size_t namelen)
{
    const char *slash = strchr(arg, '/');
    if (!slash || slash == arg || !slash[1] || strchr(slash + 1, '/') ||
        (size_t)(slash - arg) >= nslen || strlen(slash + 1) >= namelen)
        return -1;
    snprintf(ns, nslen, "%.*s", (int)(slash - arg), arg);
    snprintf(name, namelen, "%s", slash + 1);
    return 0;
}

static void drain(struct model *m, const struct chains *cs)
{
    while (model_busy(m) > 0 || chains_busy(cs) > 0)
        if (model_wait(m, NULL, NULL, 0, 1000) < 0)
            break;
}

/* Selects the cluster as `get` does: the kubeconfig's when it names one,
 * else the EKS cluster of --cluster after listing. Returns 0 or 1. */
static int select_cluster(struct model *m, const struct chains *cs,
                          FILE *err)
{
    if (!model_select_initial(m) && !m->selection_failed) {
        model_load_clusters(m);
        drain(m, cs);
        model_select_initial(m);
    }
    if (m->current == MODEL_NONE) {
        fail(err, m->status[0] ? m->status
                  : "no cluster to open: pass --cluster NAME or --context "
                    "NAME, or set a current context", NULL);
        return 1;
    }
    return 0;
}

static int print_chain(const struct chain *c, enum cli_format format,
                       FILE *out)
{
    time_t now = time(NULL);
    if (format == CLI_TABLE)
        chain_print_text(c, now, out);
    else
        chain_print_doc(c, now, format == CLI_YAML, out);
    return 0;
}

static int describe(struct model *m, struct chains *cs, const char *ns,
                    const char *name, enum cli_format format, FILE *out,
                    FILE *err)
{
    char label[600];
    if (select_cluster(m, cs, err) != 0)
        return 1;
    size_t cluster = m->current;
    chains_load_ingress(cs, cluster, ns, name);
    drain(m, cs);
    const struct chain *c = chains_find(cs, cluster, ns, name);
    const struct chain_cluster *cc = chains_cluster(cs, cluster);
    snprintf(label, sizeof(label), "ingress %s/%s", ns, name);
    if (c && c->error.code[0] && strcmp(c->error.code, "IngressNotFound") == 0) {
        fprintf(err, "albatross: %s not found\n", label);
        return 1;
    }
    if (!c || c->state == MODEL_LOADING || c->state == MODEL_IDLE) {
        fail(err, label, cc && cc->error.code[0] ? &cc->error : NULL);
        return 1;
    }
    if (c->state == MODEL_FAILED && c->refreshed == 0) {
        fail(err, label, &c->error);    /* nothing was loaded to print */
        return 1;
    }
    print_chain(c, format, out);
    if (c->state == MODEL_FAILED) {
        fail(err, label, &c->error);
        return 1;
    }
    return 0;
}

/* Every ingress of the selected cluster (or of --namespace), without
 * the drill-down of their ALBs. */
static int describe_all(struct model *m, struct chains *cs,
                        enum cli_format format, FILE *out, FILE *err)
{
    if (select_cluster(m, cs, err) != 0)
        return 1;
    size_t cluster = m->current;
    chains_load_cluster(cs, cluster);
    drain(m, cs);
    const struct chain_cluster *cc = chains_cluster(cs, cluster);
    if (!cc || cc->state == MODEL_LOADING ||
        (cc->state == MODEL_FAILED && cc->refreshed == 0)) {
        fail(err, "ingresses", cc ? &cc->error : NULL);
        return 1;
    }
    int kube_failed = 0;
    for (size_t i = 0; i < cs->count; i++)
        kube_failed |= cs->items[i].cluster == cluster &&
                       cs->items[i].state == MODEL_LOADING;
    if (kube_failed) {
        fail(err, "ingresses", &cc->error);
        return 1;
    }
    chain_print_all(cs, cluster, time(NULL),
                    format == CLI_TABLE ? CHAIN_PRINT_TEXT
                    : format == CLI_YAML ? CHAIN_PRINT_YAML
                                         : CHAIN_PRINT_JSON, out);
    if (cc->state == MODEL_FAILED) {
        fail(err, "ingresses", &cc->error);
        return 1;
    }
    return 0;
}

int cli_describe_ingress(struct model *m, const char *ns, const char *name,
                         enum cli_format format, FILE *out, FILE *err)
{
    struct chains cs;
    chains_init(&cs, m);
    int rc = name ? describe(m, &cs, ns, name, format, out, err)
                  : describe_all(m, &cs, format, out, err);
    chains_cleanup(&cs);
    return rc;
}
