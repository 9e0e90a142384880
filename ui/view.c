#include "view.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util.h"

#define VIEW_MAX_LINES 20000  /* a text view stops growing here */

size_t view_cluster(const struct ui *ui, const struct view *v)
{
    size_t c = v->cluster != MODEL_NONE ? v->cluster : ui->m->current;
    return c < ui->m->cluster_count ? c : MODEL_NONE;
}

void view_clear_lines(struct view *v)
{
    for (size_t i = 0; i < v->line_count; i++) {
        free(v->lines[i]);
        if (v->links)
            free(v->links[i].key);
    }
    free(v->lines);
    free(v->line_roles);
    free(v->links);
    v->lines = NULL;
    v->line_roles = NULL;
    v->links = NULL;
    v->line_count = 0;
}

void view_cleanup(struct view *v)
{
    view_clear_lines(v);
    table_cleanup(&v->table);
    free(v->namespace);
    free(v->name);
    free(v->arn);
    free(v->target);
    v->namespace = v->name = v->arn = v->target = NULL;
}

void view_link_last(struct view *v, const struct pane *pane,
                    const char *key, int port)
{
    if (v->line_count == 0 || !v->links)
        return;
    struct view_link *link = &v->links[v->line_count - 1];
    free(link->key);
    link->pane = pane;
    link->key = xstrdup(key);
    link->port = port;
}

void view_add_line(struct view *v, enum theme_role role, const char *fmt, ...)
{
    if (v->line_count >= VIEW_MAX_LINES)
        return;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!text)
        return;
    size_t count = v->line_count + 1;
    char **lines = realloc(v->lines, count * sizeof(*lines));
    if (lines)
        v->lines = lines;
    enum theme_role *roles = realloc(v->line_roles, count * sizeof(*roles));
    if (roles)
        v->line_roles = roles;
    struct view_link *links = realloc(v->links, count * sizeof(*links));
    if (links)
        v->links = links;
    if (!lines || !roles || !links) {
        free(text);
        return;
    }
    v->lines[v->line_count] = text;
    v->line_roles[v->line_count] = role;
    memset(&v->links[v->line_count], 0, sizeof(*links));
    v->line_count = count;
}
