/*
 * The ingress pane and the drill-down over hand-made chains, without a
 * terminal. Covered: the ALB and target columns and their colours, and a
 * selection that follows its ingress or target when a refresh adds or
 * removes rows. Also the order and content of an ingress's drill-down,
 * and Enter following a line's link to the next level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/chain_internal.h"
#include "../../src/util.h"
#include "../../ui/drill.h"
#include "../../ui/pane.h"
#include "../../ui/view.h"

#define ALB_ARN "arn:aws:elasticloadbalancing:us-east-2:111122223333:" \
                "loadbalancer/app/k8s-shop-0123456789/50dc6c495c0c9188"
#define TG_ARN "arn:aws:elasticloadbalancing:us-east-2:111122223333:" \
               "targetgroup/k8s-shop-web-0123/73e2d6bc24d8a067"
#define MESSAGE "Failed deploy model due to AccessDenied: User: " \
                "arn:aws:sts::111122223333:assumed-role/ctrl/session is " \
                "not authorized to perform: elasticloadbalancing:" \
                "CreateLoadBalancer"

struct fixture {
    struct model m;
    struct model_cluster cluster;
    struct chains cs;
    struct ui ui;
};

static struct chain *add_chain(struct fixture *f, const char *ns,
                               const char *name)
{
    struct chain *c = chains_insert(&f->cs, 0, ns, name);
    c->state = MODEL_READY;
    c->alb_state = CHAIN_ALB_MISSING;
    f->m.version++;
    return c;
}

static void remove_chain(struct fixture *f, const char *ns, const char *name)
{
    struct chains *cs = &f->cs;
    for (size_t i = 0; i < cs->count; i++) {
        if (strcmp(cs->items[i].namespace, ns) != 0 ||
            strcmp(cs->items[i].name, name) != 0)
            continue;
        chain_free_contents(&cs->items[i]);
        memmove(&cs->items[i], &cs->items[i + 1],
                (cs->count - i - 1) * sizeof(cs->items[0]));
        cs->count--;
        f->m.version++;
        return;
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->cluster.name = "shop";
    f->m.clusters = &f->cluster;
    f->m.cluster_count = 1;
    f->m.current = MODEL_NONE;
    COLS = 100;     /* wrapping width, with no terminal */
    chains_init(&f->cs, &f->m);
    /* A loaded cluster, so the panes start no load. */
    struct chain_cluster *cc = chains_cluster_state(&f->cs, 0);
    cc->state = MODEL_READY;
    cc->refreshed = 1;
    f->ui.m = &f->m;
    f->ui.chains = &f->cs;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    while (f->ui.depth > 0)
        view_cleanup(&f->ui.stack[--f->ui.depth]);
    chains_cleanup(&f->cs);
    free(f);
    return 0;
}

static struct view *open_ingresses(struct fixture *f)
{
    struct view pane = {
        .pane = &pane_ingresses,
        .cluster = 0,
        .role = MODEL_NONE,
    };
    ui_push(&f->ui, &pane);
    struct view *v = ui_top(&f->ui);
    v->table.height = 4;
    table_rebuild(&f->ui, v);
    return v;
}

static const char *selected_name(struct fixture *f, struct view *v)
{
    size_t item = table_selected_item(&v->table);
    assert_true(item < f->cs.count);
    return f->cs.items[item].name;
}

/* The text and colour of the ingress pane's column header for item. */
static const char *cell(struct fixture *f, struct view *v,
                        const char *header, size_t item,
                        enum theme_role *role)
{
    static char buf[512];
    const struct pane *p = v->pane;
    for (size_t i = 0; i < p->column_count; i++) {
        if (strcmp(p->columns[i].header, header) != 0)
            continue;
        *role = THEME_NORMAL;
        return p->columns[i].cell(&f->ui, v, item, buf, sizeof(buf), role);
    }
    fail_msg("no column %s", header);
    return NULL;
}

static void alb_and_target_columns(void **state)
{
    struct fixture *f = *state;
    struct chain *c = add_chain(f, "shop", "web");
    c->alb_state = CHAIN_ALB_ACTIVE;
    c->alb = calloc(1, sizeof(*c->alb));
    c->alb->arn = xstrdup(ALB_ARN);
    c->target_groups = calloc(1, sizeof(*c->target_groups));
    c->target_group_count = 1;
    c->target_groups[0].arn = xstrdup(TG_ARN);
    c->targets_healthy = 2;
    c->targets_total = 3;
    c = add_chain(f, "pay", "checkout");
    c->last_warning = time(NULL) - 300;
    struct view *v = open_ingresses(f);
    enum theme_role role;

    assert_int_equal(v->table.row_count, 2);
    /* Rows are sorted by namespace: pay/checkout, then shop/web. */
    assert_string_equal(cell(f, v, "ALB", 0, &role), "missing");
    assert_int_equal(role, THEME_ERROR);
    assert_string_equal(cell(f, v, "TARGETS", 0, &role), "-");
    assert_string_equal(cell(f, v, "LAST WARNING", 0, &role), "5m");
    assert_int_equal(role, THEME_WARNING);
    assert_string_equal(cell(f, v, "ALB", 1, &role), "active");
    assert_int_equal(role, THEME_OK);
    assert_string_equal(cell(f, v, "TARGETS", 1, &role), "2/3");
    assert_int_equal(role, THEME_WARNING);
    assert_string_equal(cell(f, v, "LAST WARNING", 1, &role), "-");
}

static void selection_follows_ingress(void **state)
{
    struct fixture *f = *state;
    const char *names[] = { "b", "d", "f", "h", "j", "l" };
    for (size_t i = 0; i < 6; i++)
        add_chain(f, "default", names[i]);
    struct view *v = open_ingresses(f);
    table_move(&v->table, 3);
    v->table.top = 2;
    assert_string_equal(selected_name(f, v), "h");

    /* Two ingresses appear above the selection: it stays on h, and the
     * scroll position moves with it so h keeps its screen line. */
    add_chain(f, "default", "a");
    add_chain(f, "default", "c");
    table_rebuild(&f->ui, v);
    assert_string_equal(selected_name(f, v), "h");
    assert_int_equal(v->table.selected, 5);
    assert_int_equal(v->table.top, 4);

    remove_chain(f, "default", "b");
    table_rebuild(&f->ui, v);
    assert_string_equal(selected_name(f, v), "h");
    assert_int_equal(v->table.selected - v->table.top, 1);

    /* When h itself is gone, the cursor keeps its row. */
    remove_chain(f, "default", "h");
    table_rebuild(&f->ui, v);
    assert_int_equal(v->table.selected, 4);
    assert_string_equal(selected_name(f, v), "j");
}

static struct chain *broken_chain(struct fixture *f)
{
    struct chain *c = add_chain(f, "shop", "web");
    c->detail_state = MODEL_READY;
    c->findings = calloc(1, sizeof(*c->findings));
    c->finding_count = 1;
    c->findings[0].severity = CHAIN_ERROR;
    c->findings[0].title = xstrdup("The controller cannot create the ALB");
    c->findings[0].fix = xstrdup("Allow elasticloadbalancing:"
                                 "CreateLoadBalancer");
    c->events = calloc(1, sizeof(*c->events));
    c->event_count = 1;
    c->events[0].type = xstrdup("Warning");
    c->events[0].reason = xstrdup("FailedDeployModel");
    c->events[0].message = xstrdup(MESSAGE);
    c->events[0].count = 3;
    c->events[0].last_seen = time(NULL) - 60;
    c->last_warning = c->events[0].last_seen;
    return c;
}

static size_t find_line(const struct view *v, const char *text)
{
    for (size_t i = 0; i < v->line_count; i++)
        if (strstr(v->lines[i], text))
            return i;
    fail_msg("no line with \"%s\"", text);
    return 0;
}

static void drill_shows_findings_first(void **state)
{
    struct fixture *f = *state;
    broken_chain(f);
    drill_open_ingress(&f->ui, 0, "shop", "web");
    struct view *v = ui_top(&f->ui);
    table_rebuild(&f->ui, v);

    assert_ptr_equal(v->pane, &drill_ingress_pane);
    assert_string_equal(v->lines[0], "Findings (1)");
    assert_non_null(strstr(v->lines[1], "error"));
    assert_non_null(strstr(v->lines[1], "cannot create the ALB"));
    assert_int_equal(v->line_roles[1], THEME_ERROR);
    size_t fix = find_line(v, "Fix: ");
    assert_true(fix > 1);

    /* The event's message is wrapped, and no word of it is lost. */
    size_t event = find_line(v, "FailedDeployModel");
    assert_int_equal(v->line_roles[event], THEME_WARNING);
    assert_non_null(strstr(v->lines[event], "3 times"));
    char joined[2048] = "";
    for (size_t i = event + 1; i < v->line_count && v->lines[i][0]; i++) {
        const char *text = v->lines[i];
        while (*text == ' ')
            text++;
        strcat(joined, joined[0] ? " " : "");
        strcat(joined, text);
    }
    assert_string_equal(joined, MESSAGE);
    assert_true(find_line(v, "none: no load balancer") > event);
}

static struct chain *healthy_chain(struct fixture *f)
{
    struct chain *c = add_chain(f, "shop", "web");
    c->alb_state = CHAIN_ALB_ACTIVE;
    c->detail_state = MODEL_READY;
    c->alb = calloc(1, sizeof(*c->alb));
    c->alb->arn = xstrdup(ALB_ARN);
    c->alb->name = xstrdup("k8s-shop-0123456789");
    c->alb->state = xstrdup("active");
    c->target_groups = calloc(1, sizeof(*c->target_groups));
    c->target_group_count = 1;
    struct chain_target_group *tg = &c->target_groups[0];
    tg->arn = xstrdup(TG_ARN);
    tg->name = xstrdup("k8s-shop-web-0123");
    tg->target_type = xstrdup("ip");
    tg->health_state = MODEL_READY;
    tg->targets = calloc(2, sizeof(*tg->targets));
    tg->target_count = 2;
    tg->targets[0].id = xstrdup("10.0.1.5");
    tg->targets[0].port = 8080;
    tg->targets[0].state = xstrdup("healthy");
    tg->targets[1].id = xstrdup("10.0.2.7");
    tg->targets[1].port = 8080;
    tg->targets[1].state = xstrdup("unhealthy");
    tg->targets[1].reason = xstrdup("Target.FailedHealthChecks");
    tg->healthy = 1;
    return c;
}

static void enter_follows_links(void **state)
{
    struct fixture *f = *state;
    healthy_chain(f);
    drill_open_ingress(&f->ui, 0, "shop", "web");
    struct view *v = ui_top(&f->ui);
    table_rebuild(&f->ui, v);

    size_t alb = find_line(v, "k8s-shop-0123456789  active");
    assert_int_equal(v->line_roles[alb], THEME_OK);
    v->pane->enter(&f->ui, v, alb);
    assert_int_equal(f->ui.depth, 2);
    assert_ptr_equal(ui_top(&f->ui)->pane, &drill_alb_pane);
    assert_string_equal(ui_top(&f->ui)->arn, ALB_ARN);
    ui_pop(&f->ui);

    size_t tg = find_line(v, "k8s-shop-web-0123  ip");
    assert_non_null(strstr(v->lines[tg], "1/2 healthy"));
    assert_int_equal(v->line_roles[tg], THEME_WARNING);
    v->pane->enter(&f->ui, v, tg);
    struct view *targets = ui_top(&f->ui);
    assert_ptr_equal(targets->pane, &drill_targets_pane);
    table_rebuild(&f->ui, targets);
    assert_int_equal(targets->table.row_count, 2);

    /* A refresh that puts a new target first keeps the cursor on the
     * unhealthy one. */
    table_move(&targets->table, 1);
    struct chain_target_group *group = &f->cs.items[0].target_groups[0];
    group->targets = realloc(group->targets, 3 * sizeof(*group->targets));
    memmove(&group->targets[1], &group->targets[0],
            2 * sizeof(*group->targets));
    memset(&group->targets[0], 0, sizeof(*group->targets));
    group->targets[0].id = xstrdup("10.0.0.9");
    group->targets[0].port = 8080;
    group->target_count = 3;
    f->m.version++;
    table_rebuild(&f->ui, targets);
    assert_int_equal(table_selected_item(&targets->table), 2);
}

static void gone_ingress_reports_escape(void **state)
{
    struct fixture *f = *state;
    struct chain *c = add_chain(f, "shop", "web");
    c->state = MODEL_FAILED;
    api_error_set(&c->error, "IngressNotFound", "ingress shop/web not found");
    struct view drill = {
        .pane = &drill_ingress_pane,
        .cluster = 0,
        .role = MODEL_NONE,
        .namespace = xstrdup("shop"),
        .name = xstrdup("web"),
    };
    ui_push(&f->ui, &drill);
    struct view *v = ui_top(&f->ui);
    char err[512] = "";
    assert_int_equal(v->pane->state(&f->ui, v, err, sizeof(err)),
                     MODEL_FAILED);
    assert_non_null(strstr(err, "press Esc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(alb_and_target_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(selection_follows_ingress, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(drill_shows_findings_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(enter_follows_links, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(gone_ingress_reports_escape, setup,
                                        teardown),
    };
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "test_drill: the C.UTF-8 locale is missing\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
