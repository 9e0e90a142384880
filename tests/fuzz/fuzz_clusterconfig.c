/* The ClusterConfig reader, and for a valid config the writer, the plans
 * and their templates. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../src/clusterconfig.h"
#include "../../src/plan.h"

/* The plans are printed to /dev/null so the printers run too. */
static void print_plans(const struct ccfg *c)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (!sink)
        return;
    struct plan p;
    plan_build_create(&p, c, NULL);
    plan_print_text(sink, c, &p, 1);
    plan_print_json(sink, c, &p, 1);
    plan_cleanup(&p);
    plan_build_delete(&p, c);
    plan_print_text(sink, c, &p, 0);
    plan_cleanup(&p);
}

int fuzz_clusterconfig(const uint8_t *data, size_t size)
{
    struct ccfg c, again;
    struct ccfg_errors errors;
    ccfg_errors_init(&errors);
    if (ccfg_load_string(&c, "fuzz.yaml", (const char *)data, size,
                         &errors) == 0) {
        struct buf written;
        buf_init(&written, BUF_MAX_DEFAULT);
        /* What the writer emits must load again. */
        if (ccfg_write(&c, &written) == 0 &&
            ccfg_load_string(&again, "written.yaml",
                             written.data ? written.data : "", written.len,
                             &errors) == 0)
            ccfg_cleanup(&again);
        else if (written.len) {
            fputs("fuzz_clusterconfig: the written config does not load\n",
                  stderr);
            abort();
        }
        buf_cleanup(&written);
        print_plans(&c);
        ccfg_cleanup(&c);
    }
    ccfg_errors_cleanup(&errors);
    return 0;
}
