/*
 * JSON values (cJSON) written as YAML through libyaml's emitter, for
 * manifests that kubectl and other YAML readers take back.
 */
#ifndef ALBATROSS_JSON_YAML_H
#define ALBATROSS_JSON_YAML_H

#include <stdio.h>

#include <cjson/cJSON.h>

/*
 * Writes each item of the array docs as one YAML document ("---" first)
 * to out. Strings stay strings: one that would read back as a number,
 * boolean or null is quoted. The emitter's buffer is wiped before it is
 * freed, since documents may hold secrets. Returns 0, or -1 with err set
 * when libyaml rejects an event or writing fails.
 */
int json_yaml_write(FILE *out, const cJSON *docs, char *err, size_t errlen);

#endif
