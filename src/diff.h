/*
 * A line diff of two texts, for previews of the documents and objects
 * an action changes: the command line's --dry-run prints it and the UI
 * draws it. Lines are compared whole; the result is a shortest edit
 * script (longest common subsequence), removals before additions at
 * each change, as diff -u shows them.
 */
#ifndef ALBATROSS_DIFF_H
#define ALBATROSS_DIFF_H

#include <stddef.h>
#include <stdio.h>

/* Texts longer than this many lines on a side are shown as all removed
 * then all added: the table would take lines^2 cells. */
#define DIFF_MAX_LINES 4000

enum diff_op { DIFF_SAME, DIFF_REMOVED, DIFF_ADDED };

/* One line, without its '\n', pointing into the texts diffed: valid
 * while they are. */
struct diff_line {
    enum diff_op op;
    const char *text;
    size_t len;
};

struct diff {
    struct diff_line *lines;
    size_t count;
    size_t changed;      /* lines removed or added; 0: the texts match */
};

/* Diffs before and after (NULL counts as ""). Returns 0, or -1 when
 * memory ran out (d is then empty). Free with diff_cleanup. */
int diff_lines(const char *before, const char *after, struct diff *d);
void diff_cleanup(struct diff *d);

/* Prints d as "  same", "- removed", "+ added" lines, each prefixed by
 * indent, keeping context unchanged lines around each change and
 * "  ..." for the lines left out. Control characters are replaced, so
 * a document cannot drive the terminal. */
void diff_print(FILE *out, const struct diff *d, size_t context,
                const char *indent);

#endif
