/* The theme reader. */
#include "fuzz.h"

#include "../../src/theme.h"

int fuzz_theme(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct theme t;
    char err[512];
    if (path && theme_load_file(&t, path, err, sizeof(err)) == 0)
        theme_strip_colors(&t);
    return 0;
}
