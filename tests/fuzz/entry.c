/* The libFuzzer entry point of one target, named by -DFUZZ_TARGET. */
#include <locale.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* The UI and the CLI run in the user's locale; UTF-8 is the one
     * with the most to get wrong. */
    setlocale(LC_ALL, "C.UTF-8");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return FUZZ_TARGET(data, size);
}
