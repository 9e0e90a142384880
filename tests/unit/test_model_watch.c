/*
 * How watch events and relists change the model: a modified object keeps
 * its index, an added one goes to the end, a deleted one is reported
 * before it is removed, other clusters' objects are left alone, and a
 * relist reports only the differences it makes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model_internal.h"

#define MAX_REPORTS 16

/* The hooks' calls, as "TYPE ns/name" lines. */
struct reports {
    char lines[MAX_REPORTS][128];
    size_t count;
};

static void record(struct reports *r, enum model_change change,
                   const char *ns, const char *name)
{
    assert_true(r->count < MAX_REPORTS);
    snprintf(r->lines[r->count++], sizeof(r->lines[0]), "%s %s/%s",
             model_change_name(change), ns, name);
}

static void on_sa(struct model *m, enum model_change change, size_t index,
                  void *ctx)
{
    const struct model_service_account *sa = &m->service_accounts[index];
    record(ctx, change, sa->namespace, sa->name);
}

static void on_ingress(struct model *m, enum model_change change,
                       size_t index, void *ctx)
{
    const struct model_ingress *ing = &m->ingresses[index];
    record(ctx, change, ing->namespace, ing->name);
}

static void model_two_clusters(struct model *m, struct reports *r)
{
    memset(m, 0, sizeof(*m));
    memset(r, 0, sizeof(*r));
    m->current = MODEL_NONE;
    m->cluster_count = 2;
    m->clusters = calloc(2, sizeof(*m->clusters));
    m->clusters[0].name = strdup("one");
    m->clusters[1].name = strdup("two");
    m->watch_hooks.service_account = on_sa;
    m->watch_hooks.ingress = on_ingress;
    m->watch_hooks.ctx = r;
}

static void model_free(struct model *m)
{
    for (size_t i = 0; i < m->service_account_count; i++)
        model_free_service_account(&m->service_accounts[i]);
    for (size_t i = 0; i < m->ingress_count; i++)
        model_free_ingress(&m->ingresses[i]);
    for (size_t i = 0; i < m->cluster_count; i++)
        free(m->clusters[i].name);
    free(m->service_accounts);
    free(m->ingresses);
    free(m->clusters);
}

static void fill_sa(struct kube_service_account *sa, const char *name,
                    const char *role)
{
    memset(sa, 0, sizeof(*sa));
    sa->namespace = strdup("apps");
    sa->name = strdup(name);
    sa->role_arn = role ? strdup(role) : NULL;
}

/* Appends a service account to cluster i, as a list does. */
static void add_sa(struct model *m, size_t i, const char *name,
                   const char *role)
{
    struct kube_service_account sa;
    fill_sa(&sa, name, role);
    m->service_accounts = realloc(m->service_accounts,
        (m->service_account_count + 1) * sizeof(*m->service_accounts));
    model_take_service_account(&m->service_accounts[
                                   m->service_account_count++], i, &sa);
    kube_service_account_cleanup(&sa);
}

static void sa_event(struct model *m, size_t i, enum kube_watch_type type,
                     const char *name, const char *role)
{
    struct kube_watch_event ev = { .type = type };
    ev.service_account = malloc(sizeof(*ev.service_account));
    fill_sa(ev.service_account, name, role);
    model_watch_apply_event(m, i, KUBE_WATCH_SERVICE_ACCOUNTS, &ev);
    kube_watch_event_cleanup(&ev);
}

static const char *sa_name(const struct model *m, size_t k)
{
    return m->service_accounts[k].name;
}

static void event_modified_keeps_index(void **state)
{
    (void)state;
    struct model m;
    struct reports r;
    model_two_clusters(&m, &r);
    add_sa(&m, 0, "a", NULL);
    add_sa(&m, 0, "b", NULL);
    sa_event(&m, 0, KUBE_WATCH_MODIFIED, "a", "arn:aws:iam::1:role/x");
    assert_int_equal(m.service_account_count, 2);
    assert_string_equal(sa_name(&m, 0), "a");
    assert_string_equal(m.service_accounts[0].role_arn,
                        "arn:aws:iam::1:role/x");
    assert_int_equal(r.count, 1);
    assert_string_equal(r.lines[0], "MODIFIED apps/a");
    model_free(&m);
}

/* The sandbox resends a changed object as ADDED after a restart; the
 * model reports what it did with it. */
static void event_added_existing_is_modified(void **state)
{
    (void)state;
    struct model m;
    struct reports r;
    model_two_clusters(&m, &r);
    add_sa(&m, 0, "a", NULL);
    sa_event(&m, 0, KUBE_WATCH_ADDED, "a", NULL);
    sa_event(&m, 0, KUBE_WATCH_ADDED, "c", NULL);
    assert_int_equal(m.service_account_count, 2);
    assert_string_equal(sa_name(&m, 1), "c");
    assert_int_equal(r.count, 2);
    assert_string_equal(r.lines[0], "MODIFIED apps/a");
    assert_string_equal(r.lines[1], "ADDED apps/c");
    model_free(&m);
}

static void event_deleted_only_in_its_cluster(void **state)
{
    (void)state;
    struct model m;
    struct reports r;
    model_two_clusters(&m, &r);
    add_sa(&m, 1, "a", NULL);
    add_sa(&m, 0, "a", NULL);
    add_sa(&m, 0, "b", NULL);
    sa_event(&m, 0, KUBE_WATCH_DELETED, "a", NULL);
    assert_int_equal(m.service_account_count, 2);
    assert_int_equal(m.service_accounts[0].cluster, 1);
    assert_string_equal(sa_name(&m, 0), "a");
    assert_string_equal(sa_name(&m, 1), "b");
    assert_int_equal(r.count, 1);
    assert_string_equal(r.lines[0], "DELETED apps/a");
    sa_event(&m, 0, KUBE_WATCH_DELETED, "gone", NULL);
    assert_int_equal(m.service_account_count, 2);
    assert_int_equal(r.count, 1);
    model_free(&m);
}

static struct kube_sa_list *sa_list(const char *const *names,
                                    const char *const *roles, size_t n)
{
    struct kube_sa_list *l = calloc(1, sizeof(*l));
    l->items = calloc(n + 1, sizeof(*l->items));
    for (size_t i = 0; i < n; i++)
        fill_sa(&l->items[i], names[i], roles[i]);
    l->count = n;
    return l;
}

/* A relist deletes what it lacks, replaces what differs, appends what
 * is new, and reports nothing for what is unchanged. */
static void relist_reports_differences(void **state)
{
    (void)state;
    struct model m;
    struct reports r;
    model_two_clusters(&m, &r);
    add_sa(&m, 0, "a", NULL);
    add_sa(&m, 1, "a", NULL);
    add_sa(&m, 0, "b", NULL);
    add_sa(&m, 0, "c", NULL);
    add_sa(&m, 0, "e", NULL);
    static const char *const names[] = { "e", "d", "b" };
    static const char *const roles[] = { NULL, NULL, "arn:aws:iam::1:role/b" };
    model_watch_apply_relist(&m, 0, sa_list(names, roles, 3), NULL);
    assert_int_equal(r.count, 4);
    assert_string_equal(r.lines[0], "DELETED apps/c");
    assert_string_equal(r.lines[1], "DELETED apps/a");
    assert_string_equal(r.lines[2], "MODIFIED apps/b");
    assert_string_equal(r.lines[3], "ADDED apps/d");
    assert_int_equal(m.service_account_count, 4);
    assert_int_equal(m.service_accounts[0].cluster, 1);
    assert_string_equal(sa_name(&m, 1), "b");
    assert_string_equal(m.service_accounts[1].role_arn,
                        "arn:aws:iam::1:role/b");
    assert_string_equal(sa_name(&m, 2), "e");
    assert_string_equal(sa_name(&m, 3), "d");
    model_free(&m);
}

static void ingress_event_counts_change(void **state)
{
    (void)state;
    struct model m;
    struct reports r;
    model_two_clusters(&m, &r);
    struct kube_watch_event ev = { .type = KUBE_WATCH_ADDED };
    ev.ingress = calloc(1, sizeof(*ev.ingress));
    ev.ingress->namespace = strdup("web");
    ev.ingress->name = strdup("shop");
    ev.ingress->address = strdup("lb.example");
    model_watch_apply_event(&m, 1, KUBE_WATCH_INGRESSES, &ev);
    kube_watch_event_cleanup(&ev);
    assert_int_equal(m.ingress_count, 1);
    assert_int_equal(m.ingresses[0].cluster, 1);
    assert_string_equal(m.ingresses[0].address, "lb.example");
    assert_int_equal(m.clusters[1].ingress_changes, 1);
    assert_int_equal(m.clusters[0].ingress_changes, 0);
    assert_string_equal(r.lines[0], "ADDED web/shop");

    struct kube_watch_event mark = { .type = KUBE_WATCH_BOOKMARK };
    model_watch_apply_event(&m, 1, KUBE_WATCH_INGRESSES, &mark);
    assert_int_equal(m.clusters[1].ingress_changes, 1);
    assert_int_equal(r.count, 1);
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_modified_keeps_index),
        cmocka_unit_test(event_added_existing_is_modified),
        cmocka_unit_test(event_deleted_only_in_its_cluster),
        cmocka_unit_test(relist_reports_differences),
        cmocka_unit_test(ingress_event_counts_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
