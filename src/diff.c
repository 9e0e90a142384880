/*
 * Line diff by the longest common subsequence: a table of suffix LCS
 * lengths, then one walk from the top that emits each line. Documents
 * here are policies and small objects, so the quadratic table is
 * fine up to DIFF_MAX_LINES a side.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"

struct side {
    const char **text;
    size_t *len;
    size_t count;
};

/* Splits s at '\n' into pointers into s. A final '\n' ends the last
 * line rather than starting an empty one. */
static int split(const char *s, struct side *out)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '\n';
    n += *s && s[strlen(s) - 1] != '\n';
    out->count = 0;
    out->text = calloc(n + 1, sizeof(*out->text));
    out->len = calloc(n + 1, sizeof(*out->len));
    if (!out->text || !out->len)
        return -1;
    while (*s) {
        size_t len = strcspn(s, "\n");
        out->text[out->count] = s;
        out->len[out->count++] = len;
        s += len + (s[len] == '\n');
    }
    return 0;
}

static void side_free(struct side *s)
{
    free(s->text);
    free(s->len);
}

static int same(const struct side *a, size_t i, const struct side *b,
                size_t j)
{
    return a->len[i] == b->len[j] &&
           memcmp(a->text[i], b->text[j], a->len[i]) == 0;
}

static void emit(struct diff *d, enum diff_op op, const char *text,
                 size_t len)
{
    d->lines[d->count++] = (struct diff_line){ op, text, len };
    d->changed += op != DIFF_SAME;
}

/* Everything of a removed, then everything of b added. */
static void replace_all(struct diff *d, const struct side *a,
                        const struct side *b)
{
    for (size_t i = 0; i < a->count; i++)
        emit(d, DIFF_REMOVED, a->text[i], a->len[i]);
    for (size_t j = 0; j < b->count; j++)
        emit(d, DIFF_ADDED, b->text[j], b->len[j]);
}

/* lcs[i][j]: the LCS length of a[i..] and b[j..]. */
static int walk_lcs(struct diff *d, const struct side *a,
                    const struct side *b)
{
    size_t w = b->count + 1;
    unsigned *lcs = calloc((a->count + 1) * w, sizeof(*lcs));
    if (!lcs)
        return -1;
    for (size_t i = a->count; i-- > 0;)
        for (size_t j = b->count; j-- > 0;)
            lcs[i * w + j] = same(a, i, b, j)
                ? lcs[(i + 1) * w + j + 1] + 1
                : (lcs[(i + 1) * w + j] > lcs[i * w + j + 1]
                   ? lcs[(i + 1) * w + j] : lcs[i * w + j + 1]);
    size_t i = 0, j = 0;
    while (i < a->count || j < b->count) {
        if (i < a->count && j < b->count && same(a, i, b, j)) {
            emit(d, DIFF_SAME, a->text[i], a->len[i]);
            i++, j++;
        } else if (i < a->count &&
                   (j == b->count ||
                    lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            emit(d, DIFF_REMOVED, a->text[i], a->len[i]);
            i++;
        } else {
            emit(d, DIFF_ADDED, b->text[j], b->len[j]);
            j++;
        }
    }
    free(lcs);
    return 0;
}

int diff_lines(const char *before, const char *after, struct diff *d)
{
    struct side a = {0}, b = {0};
    int rc = -1;
    memset(d, 0, sizeof(*d));
    if (split(before ? before : "", &a) < 0 ||
        split(after ? after : "", &b) < 0)
        goto out;
    d->lines = calloc(a.count + b.count + 1, sizeof(*d->lines));
    if (!d->lines)
        goto out;
    if (a.count > DIFF_MAX_LINES || b.count > DIFF_MAX_LINES) {
        replace_all(d, &a, &b);
        rc = 0;
    } else {
        rc = walk_lcs(d, &a, &b);
    }
out:
    side_free(&a);
    side_free(&b);
    if (rc < 0)
        diff_cleanup(d);
    return rc;
}

void diff_cleanup(struct diff *d)
{
    free(d->lines);
    memset(d, 0, sizeof(*d));
}

/* Whether line i is within context lines of a change. */
static int near_change(const struct diff *d, size_t i, size_t context)
{
    size_t from = i > context ? i - context : 0;
    size_t to = i + context < d->count ? i + context : d->count - 1;
    for (size_t k = from; k <= to; k++)
        if (d->lines[k].op != DIFF_SAME)
            return 1;
    return 0;
}

void diff_print(FILE *out, const struct diff *d, size_t context,
                const char *indent)
{
    static const char *const marks[] = { "  ", "- ", "+ " };
    int skipping = 0;
    for (size_t i = 0; i < d->count; i++) {
        const struct diff_line *l = &d->lines[i];
        if (l->op == DIFF_SAME && !near_change(d, i, context)) {
            if (!skipping)
                fprintf(out, "%s  ...\n", indent);
            skipping = 1;
            continue;
        }
        skipping = 0;
        char *text = strndup(l->text, l->len);
        fprintf(out, "%s%s", indent, marks[l->op]);
        output_put_text(out, text ? text : "");
        fputc('\n', out);
        free(text);
    }
}
