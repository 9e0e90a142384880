/*
 * kube_tool: lists service accounts or ingresses with api/kube.c and
 * prints them as JSON, so integration tests can compare what albatross
 * reads with what the sandbox holds.
 *
 *   kube_tool [options] serviceaccounts|ingresses
 *     --kubeconfig PATHS   kubeconfig files, ':'-separated
 *                          (default: $KUBECONFIG, then ~/.kube/config)
 *     --context NAME       kubeconfig context (default: the current one)
 *     --eks NAME --region REGION --endpoint URL --ca-data BASE64
 *                          an EKS cluster as DescribeCluster returns it,
 *                          with a native EKS token; instead of kubeconfig
 *     --namespace NS       one namespace (default: all)
 *     --limit N            items per page (default: KUBE_PAGE_LIMIT)
 *     --token TOKEN        send this bearer token instead of the
 *                          endpoint's own credentials
 *
 * Output on success: {"pages": N, "items": [...]}, exit 0. On an API
 * error: {"error": {"status", "code", "message"}}, exit 1. Invalid
 * arguments: a message on stderr, exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../api/aws.h"
#include "../../api/http.h"
#include "../../api/kube.h"
#include "../../api/kubeconfig.h"

struct options {
    const char *kubeconfig, *context;
    const char *eks, *region, *endpoint, *ca_data;
    const char *namespace, *token, *resource;
    size_t limit;
};

struct result {
    int done;
    cJSON *out;
};

static void usage(const char *msg)
{
    fprintf(stderr, "kube_tool: %s\nusage: kube_tool [--kubeconfig PATHS] "
            "[--context NAME] [--eks NAME --region REGION --endpoint URL "
            "--ca-data BASE64] [--namespace NS] [--limit N] [--token TOKEN] "
            "serviceaccounts|ingresses\n", msg);
    exit(2);
}

static void parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (a[0] != '-') {
            if (o->resource)
                usage("more than one resource given");
            o->resource = a;
            continue;
        }
        if (i + 1 >= argc)
            usage("an option is missing its value");
        const char *v = argv[++i];
        if (!strcmp(a, "--kubeconfig"))
            slot = &o->kubeconfig;
        else if (!strcmp(a, "--context"))
            slot = &o->context;
        else if (!strcmp(a, "--eks"))
            slot = &o->eks;
        else if (!strcmp(a, "--region"))
            slot = &o->region;
        else if (!strcmp(a, "--endpoint"))
            slot = &o->endpoint;
        else if (!strcmp(a, "--ca-data"))
            slot = &o->ca_data;
        else if (!strcmp(a, "--namespace"))
            slot = &o->namespace;
        else if (!strcmp(a, "--token"))
            slot = &o->token;
        else if (!strcmp(a, "--limit"))
            o->limit = strtoul(v, NULL, 10);
        else
            usage("unknown option");
        if (slot)
            *slot = v;
    }
    if (!o->resource || (strcmp(o->resource, "serviceaccounts") &&
                         strcmp(o->resource, "ingresses")))
        usage("name serviceaccounts or ingresses");
    if (o->eks && (!o->region || !o->endpoint))
        usage("--eks needs --region and --endpoint");
}

static void add_str(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
    else
        cJSON_AddNullToObject(obj, name);
}

static void add_annotations(cJSON *obj, const struct kube_annotation *a,
                            size_t n)
{
    cJSON *map = cJSON_AddObjectToObject(obj, "annotations");
    for (size_t i = 0; i < n; i++)
        cJSON_AddStringToObject(map, a[i].key, a[i].value);
}

static cJSON *error_json(const struct api_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(root, "error");
    cJSON_AddNumberToObject(e, "status", (double)err->http_status);
    cJSON_AddStringToObject(e, "code", err->code);
    cJSON_AddStringToObject(e, "message", err->message);
    return root;
}

static void on_service_accounts(struct kube_sa_list *l,
                                const struct api_error *err, void *ctx)
{
    struct result *r = ctx;
    r->done = 1;
    if (!l) {
        r->out = error_json(err);
        return;
    }
    r->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->out, "pages", (double)l->pages);
    cJSON *items = cJSON_AddArrayToObject(r->out, "items");
    for (size_t i = 0; i < l->count; i++) {
        const struct kube_service_account *sa = &l->items[i];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "namespace", sa->namespace);
        add_str(o, "name", sa->name);
        add_str(o, "uid", sa->uid);
        add_str(o, "created", sa->created);
        add_str(o, "roleArn", sa->role_arn);
        add_annotations(o, sa->annotations, sa->annotation_count);
        cJSON_AddItemToArray(items, o);
    }
    kube_sa_list_free(l);
}

static void on_ingresses(struct kube_ingress_list *l,
                         const struct api_error *err, void *ctx)
{
    struct result *r = ctx;
    r->done = 1;
    if (!l) {
        r->out = error_json(err);
        return;
    }
    r->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->out, "pages", (double)l->pages);
    cJSON *items = cJSON_AddArrayToObject(r->out, "items");
    for (size_t i = 0; i < l->count; i++) {
        const struct kube_ingress *in = &l->items[i];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "namespace", in->namespace);
        add_str(o, "name", in->name);
        add_str(o, "created", in->created);
        add_str(o, "className", in->class_name);
        add_str(o, "hosts", in->hosts);
        add_str(o, "address", in->address);
        add_str(o, "groupName", in->group_name);
        add_annotations(o, in->annotations, in->annotation_count);
        cJSON_AddItemToArray(items, o);
    }
    kube_ingress_list_free(l);
}

static void endpoint_of(const struct options *o, struct kube_endpoint *ep)
{
    char err[1024];
    if (o->eks) {
        if (kube_endpoint_from_eks(ep, o->eks, o->region, o->endpoint,
                                   o->ca_data) < 0)
            usage("invalid --endpoint or --ca-data");
    } else {
        struct kubeconfig kc;
        if (kubeconfig_load(&kc, o->kubeconfig, err, sizeof(err)) < 0 ||
            kubeconfig_endpoint(&kc, o->context, ep, err,
                                sizeof(err)) < 0) {
            fprintf(stderr, "kube_tool: %s\n", err);
            exit(2);
        }
        kubeconfig_free(&kc);
    }
    if (o->token) {
        /* Replace every credential, so only this token is sent. */
        struct kube_endpoint kept = *ep;
        memset(ep, 0, sizeof(*ep));
        ep->name = kept.name;
        ep->server = kept.server;
        ep->ca_pem = kept.ca_pem;
        ep->token = strdup(o->token);
        kept.name = kept.server = kept.ca_pem = NULL;
        kube_endpoint_cleanup(&kept);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    struct kube_endpoint ep;
    struct kube_client kc;
    struct aws_session session;
    struct result r = { 0, NULL };
    char err[1024];

    parse_options(argc, argv, &o);
    struct aws_session_options aws_opt = { NULL, o.region, 1 };
    endpoint_of(&o, &ep);
    struct http_client *http = http_client_new();
    if (!http)
        usage("cannot start the HTTP client");
    int have_aws = aws_session_init(&session, http, &aws_opt, err,
                                    sizeof(err)) == 0;
    if (!have_aws)
        fprintf(stderr, "kube_tool: no AWS session: %s\n", err);
    kube_client_init(&kc, http, have_aws ? &session : NULL, &ep);
    kc.page_limit = o.limit;
    if (!strcmp(o.resource, "serviceaccounts"))
        kube_list_service_accounts(&kc, o.namespace, on_service_accounts, &r);
    else
        kube_list_ingresses(&kc, o.namespace, on_ingresses, &r);
    while (!r.done && http_pending(http) > 0)
        if (http_wait(http, NULL, NULL, 0, 1000) < 0)
            break;
    http_client_free(http);
    kube_client_cleanup(&kc);
    if (have_aws)
        aws_session_cleanup(&session);
    if (!r.out)
        usage("the list never completed");
    char *text = cJSON_Print(r.out);
    puts(text);
    free(text);
    int failed = cJSON_GetObjectItem(r.out, "error") != NULL;
    cJSON_Delete(r.out);
    return failed ? 1 : 0;
}
