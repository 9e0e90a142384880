#include "clientenv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../api/buf.h"

#define FILE_MAX (4u << 20)

/* Appends s as a YAML double-quoted scalar. */
static void put_quoted(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static const char *context_name(const struct world_cluster *c)
{
    return c->arn ? c->arn : c->name;
}

static int put_base64(struct buf *b, const char *data)
{
    size_t len = strlen(data);
    unsigned char *out = malloc(4 * ((len + 2) / 3) + 1);
    int rc;

    if (!out)
        return -1;
    EVP_EncodeBlock(out, (const unsigned char *)data, (int)len);
    rc = buf_puts(b, (const char *)out);
    free(out);
    return rc;
}

static void put_cluster(struct buf *b, const struct world_cluster *c,
                        const char *ca_pem)
{
    buf_puts(b, "- name: ");
    put_quoted(b, context_name(c));
    buf_puts(b, "\n  cluster:\n    server: ");
    put_quoted(b, c->endpoint ? c->endpoint : "");
    buf_puts(b, "\n    certificate-authority-data: ");
    put_base64(b, ca_pem);
    buf_putc(b, '\n');
}

static void put_user(struct buf *b, const struct world_cluster *c)
{
    buf_puts(b, "- name: ");
    put_quoted(b, context_name(c));
    buf_puts(b, "\n  user:\n    exec:\n"
                "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                "      command: aws\n"
                "      args:\n      - --region\n      - ");
    put_quoted(b, c->region);
    buf_puts(b, "\n      - eks\n      - get-token\n      - --cluster-name\n"
                "      - ");
    put_quoted(b, c->name);
    buf_puts(b, "\n      - --output\n      - json\n"
                "      interactiveMode: Never\n");
}

static void put_context(struct buf *b, const struct world_cluster *c)
{
    buf_puts(b, "- name: ");
    put_quoted(b, context_name(c));
    buf_puts(b, "\n  context:\n    cluster: ");
    put_quoted(b, context_name(c));
    buf_puts(b, "\n    user: ");
    put_quoted(b, context_name(c));
    buf_putc(b, '\n');
}

static int build_kubeconfig(struct buf *b, const struct world *w,
                            const char *ca_pem)
{
    buf_puts(b, "apiVersion: v1\nkind: Config\npreferences: {}\n");
    buf_puts(b, w->cluster_count ? "clusters:\n" : "clusters: []\n");
    for (size_t i = 0; i < w->cluster_count; i++)
        put_cluster(b, &w->clusters[i], ca_pem);
    buf_puts(b, w->cluster_count ? "users:\n" : "users: []\n");
    for (size_t i = 0; i < w->cluster_count; i++)
        put_user(b, &w->clusters[i]);
    buf_puts(b, w->cluster_count ? "contexts:\n" : "contexts: []\n");
    for (size_t i = 0; i < w->cluster_count; i++)
        put_context(b, &w->clusters[i]);
    buf_puts(b, "current-context: ");
    put_quoted(b, w->cluster_count ? context_name(&w->clusters[0]) : "");
    /* buf's appends fail only past FILE_MAX or without memory, and every
     * later append fails too, so checking the last one is enough. */
    return buf_putc(b, '\n');
}

int clientenv_write_kubeconfig(const struct world *w, const char *ca_pem,
                               const char *path, char *err, size_t errlen)
{
    struct buf b;
    int rc;

    buf_init(&b, FILE_MAX);
    if (build_kubeconfig(&b, w, ca_pem) < 0) {
        snprintf(err, errlen, "cannot build the kubeconfig: out of memory");
        rc = -1;
    } else {
        rc = clientenv_write_file(path, b.data, b.len, err, errlen);
    }
    buf_cleanup(&b);
    return rc;
}

static int needs_quotes(const char *s)
{
    if (!*s)
        return 1;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_@%+=:,./-", *s))
            return 1;
    return 0;
}

/* Appends KEY=value with value single-quoted for sh when needed. */
static void put_var(struct buf *b, const char *key, const char *value)
{
    buf_printf(b, "%s=", key);
    if (!needs_quotes(value)) {
        buf_puts(b, value);
    } else {
        buf_putc(b, '\'');
        for (; *value; value++) {
            if (*value == '\'')
                buf_puts(b, "'\\''");
            else
                buf_putc(b, *value);
        }
        buf_putc(b, '\'');
    }
    buf_putc(b, '\n');
}

static int build_env(struct buf *b, const struct world *w, unsigned port,
                     const char *ca_path, const char *kubeconfig_path)
{
    const struct world_credential *cred =
        w->credential_count ? &w->credentials[0] : NULL;
    char url[64];

    snprintf(url, sizeof(url), "https://127.0.0.1:%u", port);
    put_var(b, "AWS_ENDPOINT_URL", url);
    if (cred) {
        put_var(b, "AWS_ACCESS_KEY_ID", cred->access_key_id);
        put_var(b, "AWS_SECRET_ACCESS_KEY", cred->secret_access_key);
        if (cred->session_token)
            put_var(b, "AWS_SESSION_TOKEN", cred->session_token);
    }
    if (w->region_count)
        put_var(b, "AWS_REGION", w->regions[0]);
    put_var(b, "AWS_EC2_METADATA_DISABLED", "true");
    put_var(b, "AWS_CA_BUNDLE", ca_path);
    put_var(b, "KUBECONFIG", kubeconfig_path);
    return buf_putc(b, '\0');
}

int clientenv_write_env(const struct world *w, unsigned port,
                        const char *ca_path, const char *kubeconfig_path,
                        const char *path, char *err, size_t errlen)
{
    struct buf b;
    int rc = -1;

    buf_init(&b, FILE_MAX);
    if (build_env(&b, w, port, ca_path, kubeconfig_path) < 0) {
        snprintf(err, errlen, "cannot build the environment: out of memory");
    } else if (!path) {
        fputs(b.data, stdout);
        rc = fflush(stdout) == 0 ? 0 : -1;
        if (rc)
            snprintf(err, errlen, "cannot write the environment to stdout: "
                     "%s", strerror(errno));
    } else {
        rc = clientenv_write_file(path, b.data, b.len - 1, err, errlen);
    }
    buf_wipe(&b); /* it contains the secret key */
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int clientenv_write_file(const char *path, const char *data, size_t len,
                         char *err, size_t errlen)
{
    char tmp[4096];
    int fd, rc;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        snprintf(err, errlen, "path too long: %s", path);
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    rc = write_all(fd, data, len);
    if (close(fd) < 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return rc;
}
