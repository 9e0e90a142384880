/* The sandbox's world file reader. */
#include "fuzz.h"

#include "../../sandbox/world.h"

int fuzz_world(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct world w;
    char err[512];
    if (!path || world_load(&w, path, err, sizeof(err)) < 0)
        return 0;
    world_set_endpoints(&w, "https://127.0.0.1:1");
    world_free(&w);
    return 0;
}
