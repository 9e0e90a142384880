/*
 * Policy documents as the role view lays them out: IAM returns trust and
 * inline policies percent-encoded, and the view indents whatever JSON, or
 * non-JSON, it is given.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "../../ui/detail.h"

int fuzz_policy(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    struct view v;
    if (!text)
        return 0;
    memset(&v, 0, sizeof(v));
    detail_add_json(&v, text, "  ");
    view_cleanup(&v);
    free(text);
    return 0;
}
