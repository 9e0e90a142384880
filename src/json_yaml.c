/*
 * cJSON to YAML. Mappings and sequences are written in block style, so the
 * manifests read like the ones kubectl prints; key order is kept.
 */
#include "json_yaml.h"

#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "doc.h"

static int emit(yaml_emitter_t *e, yaml_event_t *event)
{
    return yaml_emitter_emit(e, event) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, int plain)
{
    yaml_event_t event;
    yaml_scalar_style_t style = plain ? YAML_PLAIN_SCALAR_STYLE
                                      : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (!yaml_scalar_event_initialize(&event, NULL, NULL,
                                      (yaml_char_t *)text, (int)strlen(text),
                                      plain, !plain, style))
        return -1;
    return emit(e, &event);
}

static int emit_string(yaml_emitter_t *e, const char *s)
{
    return emit_scalar(e, s, doc_yaml_plain(s));
}

static int emit_number(yaml_emitter_t *e, const cJSON *v)
{
    char text[64];
    double d = v->valuedouble;
    /* Kubernetes counts and ports are integers; keep them without a
     * fraction. */
    if (d == (double)(long long)d && d > -1e15 && d < 1e15)
        snprintf(text, sizeof(text), "%lld", (long long)d);
    else
        snprintf(text, sizeof(text), "%.17g", d);
    return emit_scalar(e, text, 1);
}

static int emit_value(yaml_emitter_t *e, const cJSON *v);

static int emit_container(yaml_emitter_t *e, const cJSON *v)
{
    yaml_event_t event;
    int is_map = cJSON_IsObject(v);
    int ok = is_map
        ? yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
                                              YAML_BLOCK_MAPPING_STYLE)
        : yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
                                               YAML_BLOCK_SEQUENCE_STYLE);
    if (!ok || emit(e, &event) < 0)
        return -1;
    const cJSON *child;
    cJSON_ArrayForEach(child, v) {
        if (is_map && emit_string(e, child->string) < 0)
            return -1;
        if (emit_value(e, child) < 0)
            return -1;
    }
    ok = is_map ? yaml_mapping_end_event_initialize(&event)
                : yaml_sequence_end_event_initialize(&event);
    return ok ? emit(e, &event) : -1;
}

static int emit_value(yaml_emitter_t *e, const cJSON *v)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        return emit_container(e, v);
    if (cJSON_IsString(v))
        return emit_string(e, v->valuestring);
    if (cJSON_IsNumber(v))
        return emit_number(e, v);
    if (cJSON_IsBool(v))
        return emit_scalar(e, cJSON_IsTrue(v) ? "true" : "false", 1);
    return emit_scalar(e, "null", 1);
}

static int emit_document(yaml_emitter_t *e, const cJSON *doc)
{
    yaml_event_t event;
    if (!yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 0) ||
        emit(e, &event) < 0 || emit_value(e, doc) < 0 ||
        !yaml_document_end_event_initialize(&event, 1))
        return -1;
    return emit(e, &event);
}

static int emit_stream(yaml_emitter_t *e, const cJSON *docs)
{
    yaml_event_t event;
    if (!yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) ||
        emit(e, &event) < 0)
        return -1;
    const cJSON *doc;
    cJSON_ArrayForEach(doc, docs)
        if (emit_document(e, doc) < 0)
            return -1;
    if (!yaml_stream_end_event_initialize(&event))
        return -1;
    return emit(e, &event);
}

/* The emitter keeps what it has not flushed, and libyaml frees its
 * buffers without clearing them. */
static void wipe_emitter(yaml_emitter_t *e)
{
    if (e->buffer.start)
        memset(e->buffer.start, 0, (size_t)(e->buffer.end - e->buffer.start));
    if (e->raw_buffer.start)
        memset(e->raw_buffer.start, 0,
               (size_t)(e->raw_buffer.end - e->raw_buffer.start));
}

int json_yaml_write(FILE *out, const cJSON *docs, char *err, size_t errlen)
{
    yaml_emitter_t e;
    if (!yaml_emitter_initialize(&e)) {
        snprintf(err, errlen, "cannot start the YAML emitter");
        return -1;
    }
    yaml_emitter_set_output_file(&e, out);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    int rc = emit_stream(&e, docs);
    if (rc < 0)
        snprintf(err, errlen, "writing YAML failed: %s",
                 e.problem ? e.problem : "the output could not be written");
    wipe_emitter(&e);
    yaml_emitter_delete(&e);
    return rc;
}
