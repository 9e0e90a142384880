/*
 * Fuzz targets: each feeds one input to the readers and parsers of one
 * kind of outside data. tests/fuzz/entry.c turns one target into a
 * libFuzzer binary (make fuzz); tests/unit/test_fuzz_corpus.c replays the
 * corpus of every target without libFuzzer (make test).
 *
 * A target returns 0 and must neither crash, leak nor read out of bounds
 * on any input.
 */
#ifndef ALBATROSS_FUZZ_H
#define ALBATROSS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int fuzz_kubeconfig(const uint8_t *data, size_t size);
int fuzz_awsconfig(const uint8_t *data, size_t size);
int fuzz_theme(const uint8_t *data, size_t size);
int fuzz_xml(const uint8_t *data, size_t size);
int fuzz_json(const uint8_t *data, size_t size);
int fuzz_policy(const uint8_t *data, size_t size);
int fuzz_world(const uint8_t *data, size_t size);
int fuzz_text(const uint8_t *data, size_t size);
int fuzz_clusterconfig(const uint8_t *data, size_t size);

/* Writes data to a file in a directory private to the process, and
 * returns its path (the same for every call), or NULL. Readers that
 * resolve relative paths find nothing beside it. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data, to free; parsers that take a length get
 * the original so they are tested without a terminator too. */
char *fuzz_string(const uint8_t *data, size_t size);

#endif
