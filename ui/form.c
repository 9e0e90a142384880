#include "form.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "draw.h"
#include "view.h"

/* Removes the last UTF-8 character of s. */
static void delete_last(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0)
        n--;
    s[n] = '\0';
}

/* Appends key as UTF-8 when it fits. */
static int append(struct form_field *f, int key)
{
    char bytes[MB_LEN_MAX];
    mbstate_t state;
    memset(&state, 0, sizeof(state));
    size_t n = wcrtomb(bytes, (wchar_t)key, &state);
    size_t used = strlen(f->value);
    if (n == (size_t)-1 || used + n + 1 > sizeof(f->value))
        return 0;
    memcpy(f->value + used, bytes, n);
    f->value[used + n] = '\0';
    return 1;
}

static int is_backspace(int key)
{
    return key == UI_FKEY(KEY_BACKSPACE) || key == 127 || key == '\b';
}

int form_edit(struct form_field *f, int key)
{
    if (f->kind == FORM_TOGGLE) {
        if (key != ' ')
            return 0;
        f->on = !f->on;
        return 1;
    }
    if (f->kind == FORM_CHOICE)
        return 0;
    if (is_backspace(key)) {
        delete_last(f->value);
        return 1;
    }
    if (key == UI_CTRL('u')) {
        f->value[0] = '\0';
        return 1;
    }
    if (key < ' ' || key == 127 || key >= UI_FKEY(0))
        return 0;
    /* A number field takes any character too, so that validation can
     * name what is wrong with "2x" rather than ignore the key. */
    return append(f, key);
}

void form_cycle(struct form_field *f, const char *const *choices,
                size_t count, int direction)
{
    if (count == 0)
        return;
    size_t at = count;
    for (size_t i = 0; i < count; i++)
        if (strcmp(choices[i], f->value) == 0)
            at = i;
    size_t next;
    if (at == count)
        next = 0;
    else
        next = (at + count + (size_t)(direction > 0 ? 1 : count - 1)) % count;
    strncpy(f->value, choices[next], sizeof(f->value) - 1);
    f->value[sizeof(f->value) - 1] = '\0';
}

int form_draw(const struct form_field *f, int y, int x, int width,
              attr_t label_attr, attr_t value_attr)
{
    draw_text(y, x, FORM_LABEL_WIDTH - 1, f->label, label_attr, 0);
    int vx = x + FORM_LABEL_WIDTH, vw = width - FORM_LABEL_WIDTH;
    if (vw < 1)
        return x + width;
    const char *shown = f->value;
    if (f->kind == FORM_TOGGLE)
        shown = f->on ? "[x] yes" : "[ ] no";
    char choice[FORM_VALUE_MAX + 8];
    if (f->kind == FORM_CHOICE) {
        snprintf(choice, sizeof(choice), "< %s >", f->value);
        shown = choice;
    }
    int used = draw_text(y, vx, vw, shown, value_attr, 0);
    return vx + (used < vw ? used : vw - 1);
}
