/*
 * The JSON replies and outputs: EKS clusters, Kubernetes list pages and
 * Status errors, exec plugin and credential_process output, and AWS JSON
 * errors. Every parser gets the same input.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "../../api/buf.h"
#include "../../api/creds.h"
#include "../../api/eks.h"
#include "../../api/exec.h"
#include "../../api/kube.h"

static void parse_eks(const char *json, size_t len)
{
    struct api_error err;
    struct eks_cluster c;
    memset(&c, 0, sizeof(c));
    eks_parse_cluster(json, len, &c, &err);
    eks_cluster_cleanup(&c);

    char **names = NULL, *next = NULL;
    size_t count = 0;
    if (eks_parse_cluster_names(json, len, &names, &count, &next, &err) < 0)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(next);
}

static void parse_kube(const char *json, size_t len)
{
    struct api_error err;
    char *next = NULL;
    struct kube_sa_list *sa = calloc(1, sizeof(*sa));
    if (sa) {
        kube_parse_sa_page(json, len, sa, &next, &err);
        free(next);
        next = NULL;
        kube_sa_list_free(sa);
    }
    struct kube_ingress_list *ing = calloc(1, sizeof(*ing));
    if (ing) {
        kube_parse_ingress_page(json, len, ing, &next, &err);
        free(next);
        kube_ingress_list_free(ing);
    }
    kube_error_from_reply(&err, 403, json, len);
}

static void parse_credentials(const char *json, size_t len)
{
    char err[512];
    struct aws_credentials c;
    memset(&c, 0, sizeof(c));
    creds_parse_process_output(json, len, &c, err, sizeof(err));
    aws_credentials_free(&c);

    static const char *const versions[] = {
        "client.authentication.k8s.io/v1beta1",
        "client.authentication.k8s.io/v1",
    };
    for (size_t i = 0; i < 2; i++) {
        struct exec_credential cred;
        memset(&cred, 0, sizeof(cred));
        exec_parse(json, len, versions[i], &cred, err, sizeof(err));
        exec_credential_cleanup(&cred);
    }
}

static void parse_error(const uint8_t *data, size_t size)
{
    struct api_error err;
    struct buf body;
    buf_init(&body, 0);
    if (buf_append(&body, data, size) == 0)
        aws_error_from_reply(&err, 400, "application/x-amz-json-1.1",
                             "ResourceNotFoundException", &body);
    buf_cleanup(&body);
}

int fuzz_json(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    parse_eks(json, size);
    parse_kube(json, size);
    parse_credentials(json, size);
    parse_error(data, size);
    return 0;
}
