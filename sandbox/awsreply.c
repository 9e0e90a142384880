#include "awsreply.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define PARAMS_MAX 1000
#define MARKER_MAX 1024

static void new_request_id(char *out, size_t len)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1)
        memset(b, 0x5a, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
             b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void awsreply_init(struct awsreply *r, struct world *w,
                   const struct sb_request *req, struct sb_response *res)
{
    memset(r, 0, sizeof(*r));
    r->world = w;
    r->req = req;
    r->res = res;
    r->protocol = AWSREPLY_QUERY;
    new_request_id(res->scratch, sizeof(res->scratch));
    r->request_id = res->scratch;
    sb_add_header(res, "x-amzn-RequestId", r->request_id);
}

void awsreply_cleanup(struct awsreply *r)
{
    if (r->xml)
        xmlFreeTextWriter(r->xml);
    if (r->xml_buf)
        xmlBufferFree(r->xml_buf);
    free(r->params);
    free(r->param_text);
    r->xml = NULL;
    r->xml_buf = NULL;
    r->params = NULL;
    r->param_text = NULL;
}

static int hex_digit(int c)
{
    if (isdigit(c))
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* application/x-www-form-urlencoded decoding, in place. */
static int form_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
            continue;
        }
        if (*s != '%') {
            *out++ = *s;
            continue;
        }
        int hi = hex_digit((unsigned char)s[1]);
        int lo = hi < 0 ? -1 : hex_digit((unsigned char)s[2]);
        if (lo < 0)
            return -1;
        *out++ = (char)(hi * 16 + lo);
        s += 2;
    }
    *out = '\0';
    return 0;
}

static int add_param(struct awsreply *r, const char *name, const char *value)
{
    if (r->param_count == PARAMS_MAX)
        return -1;
    r->params[r->param_count].name = name;
    r->params[r->param_count].value = value;
    r->param_count++;
    return 0;
}

static int parse_form(struct awsreply *r)
{
    for (char *save, *item = strtok_r(r->param_text, "&", &save); item;
         item = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(item, '=');
        if (eq)
            *eq++ = '\0';
        if (form_decode(item) < 0 || (eq && form_decode(eq) < 0))
            return -1;
        if (add_param(r, item, eq ? eq : "") < 0)
            return -1;
    }
    return 0;
}

int awsreply_parse_params(struct awsreply *r)
{
    const struct sb_request *req = r->req;
    r->params = calloc(PARAMS_MAX, sizeof(*r->params));
    r->param_text = strdup(req->body ? req->body : "");
    if (!r->params || !r->param_text) {
        awsreply_error(r, 500, "InternalFailure", "out of memory");
        return -1;
    }
    if (parse_form(r) < 0) {
        awsreply_error(r, 400, "MalformedQueryString", "The request body is "
                       "not valid application/x-www-form-urlencoded text, or "
                       "it has more than %d parameters", PARAMS_MAX);
        return -1;
    }
    for (size_t i = 0; i < req->query_count; i++)
        if (add_param(r, req->query[i].name, req->query[i].value) < 0) {
            awsreply_error(r, 400, "MalformedQueryString", "The request has "
                           "more than %d parameters", PARAMS_MAX);
            return -1;
        }
    return 0;
}

const char *awsreply_param(const struct awsreply *r, const char *name)
{
    for (size_t i = 0; i < r->param_count; i++)
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    return NULL;
}

long awsreply_members(const struct awsreply *r, const char *name,
                      const char **items, size_t max)
{
    for (size_t i = 0;; i++) {
        char key[160];
        snprintf(key, sizeof(key), "%s.member.%zu", name, i + 1);
        const char *value = awsreply_param(r, key);
        if (!value)
            return (long)i;
        if (i == max)
            return -1;
        items[i] = value;
    }
}

static int xml_start(struct awsreply *r)
{
    if (r->xml)
        return 0;
    r->xml_buf = xmlBufferCreate();
    r->xml = r->xml_buf ? xmlNewTextWriterMemory(r->xml_buf, 0) : NULL;
    if (!r->xml || xmlTextWriterStartDocument(r->xml, NULL, "UTF-8",
                                              NULL) < 0)
        return -1;
    return 0;
}

/* Hands the finished XML to the reply. */
static void xml_finish(struct awsreply *r, int status)
{
    struct sb_response *res = r->res;
    buf_reset(&res->body);
    if (xmlTextWriterEndDocument(r->xml) < 0 ||
        buf_append(&res->body, xmlBufferContent(r->xml_buf),
                   (size_t)xmlBufferLength(r->xml_buf)) < 0) {
        res->status = 500;
        res->content_type = "text/plain";
        return;
    }
    res->status = status;
    res->content_type = "text/xml";
}

int awsreply_xml_open(struct awsreply *r, const char *name)
{
    return xmlTextWriterStartElement(r->xml, BAD_CAST name) < 0 ? -1 : 0;
}

int awsreply_xml_close(struct awsreply *r)
{
    return xmlTextWriterEndElement(r->xml) < 0 ? -1 : 0;
}

int awsreply_xml_text(struct awsreply *r, const char *name,
                      const char *value)
{
    if (!value)
        return 0;
    return xmlTextWriterWriteElement(r->xml, BAD_CAST name,
                                     BAD_CAST value) < 0 ? -1 : 0;
}

int awsreply_xml_encoded(struct awsreply *r, const char *name,
                         const char *value)
{
    if (!value)
        return 0;
    struct buf b;
    buf_init(&b, 0);
    int rc = sigv4_uri_encode(&b, value, strlen(value), 0);
    if (rc == 0)
        rc = awsreply_xml_text(r, name, b.data ? b.data : "");
    buf_cleanup(&b);
    return rc;
}

static int start_root(struct awsreply *r, const char *name)
{
    if (xml_start(r) < 0 || awsreply_xml_open(r, name) < 0)
        return -1;
    if (r->xmlns && xmlTextWriterWriteAttribute(r->xml, BAD_CAST "xmlns",
                                                BAD_CAST r->xmlns) < 0)
        return -1;
    return 0;
}

int awsreply_xml_begin(struct awsreply *r)
{
    char name[128];
    snprintf(name, sizeof(name), "%sResponse", r->action);
    if (start_root(r, name) < 0)
        return -1;
    if (r->protocol == AWSREPLY_EC2)
        return awsreply_xml_text(r, "requestId", r->request_id);
    snprintf(name, sizeof(name), "%sResult", r->action);
    return awsreply_xml_open(r, name);
}

/* Closes the reply: ResponseMetadata for the query protocol, then the
 * response element. */
static int end_response(struct awsreply *r, int rc)
{
    if (r->protocol == AWSREPLY_QUERY) {
        rc |= awsreply_xml_open(r, "ResponseMetadata");
        rc |= awsreply_xml_text(r, "RequestId", r->request_id);
        rc |= awsreply_xml_close(r);
    }
    rc |= awsreply_xml_close(r);
    if (rc < 0) {
        awsreply_error(r, 500, "InternalFailure", "could not write the reply");
        return -1;
    }
    xml_finish(r, 200);
    return 0;
}

int awsreply_xml_empty(struct awsreply *r)
{
    char name[128];
    snprintf(name, sizeof(name), "%sResponse", r->action);
    return end_response(r, start_root(r, name));
}

int awsreply_xml_end(struct awsreply *r)
{
    int rc = 0;
    if (r->protocol == AWSREPLY_QUERY)
        rc = awsreply_xml_close(r);    /* the Result element */
    return end_response(r, rc);
}

void awsreply_json(struct awsreply *r, int status, cJSON *body)
{
    struct sb_response *res = r->res;
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    buf_reset(&res->body);
    if (!text || buf_puts(&res->body, text) < 0) {
        res->status = 500;
        res->content_type = "text/plain";
    } else {
        res->status = status;
        res->content_type = r->protocol == AWSREPLY_JSON
                                ? "application/x-amz-json-1.1"
                                : "application/json";
    }
    free(text);
}

static int accepts_json(const struct awsreply *r)
{
    const char *accept = sb_header(r->req, "Accept");
    return accept && strstr(accept, "application/json") != NULL;
}

/* STS replies in JSON when the request accepts it, as
 * aws-iam-authenticator's requests do. */
static void query_error_json(struct awsreply *r, int status,
                             const char *code, const char *message)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *error = cJSON_AddObjectToObject(body, "Error");
    cJSON_AddStringToObject(error, "Code", code);
    cJSON_AddStringToObject(error, "Message", message);
    cJSON_AddStringToObject(error, "Type", status >= 500 ? "Receiver"
                                                         : "Sender");
    cJSON_AddStringToObject(body, "RequestId", r->request_id);
    awsreply_json(r, status, body);
}

static void query_error(struct awsreply *r, int status, const char *code,
                        const char *message)
{
    int rc = start_root(r, "ErrorResponse");
    rc |= awsreply_xml_open(r, "Error");
    rc |= awsreply_xml_text(r, "Type", status >= 500 ? "Receiver" : "Sender");
    rc |= awsreply_xml_text(r, "Code", code);
    rc |= awsreply_xml_text(r, "Message", message);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "RequestId", r->request_id);
    rc |= awsreply_xml_close(r);
    if (rc == 0)
        xml_finish(r, status);
    else
        r->res->status = 500;
}

static void ec2_error(struct awsreply *r, int status, const char *code,
                      const char *message)
{
    const char *xmlns = r->xmlns;
    r->xmlns = NULL; /* EC2's error document has no namespace */
    int rc = start_root(r, "Response");
    r->xmlns = xmlns;
    rc |= awsreply_xml_open(r, "Errors");
    rc |= awsreply_xml_open(r, "Error");
    rc |= awsreply_xml_text(r, "Code", code);
    rc |= awsreply_xml_text(r, "Message", message);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_close(r);
    rc |= awsreply_xml_text(r, "RequestID", r->request_id);
    rc |= awsreply_xml_close(r);
    if (rc == 0)
        xml_finish(r, status);
    else
        r->res->status = 500;
}

static void rest_json_error(struct awsreply *r, int status, const char *code,
                            const char *message)
{
    sb_add_header(r->res, "x-amzn-ErrorType", code);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "message", message);
    awsreply_json(r, status, body);
}

static void json_error(struct awsreply *r, int status, const char *code,
                       const char *message)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "__type", code);
    cJSON_AddStringToObject(body, "message", message);
    awsreply_json(r, status, body);
}

void awsreply_error(struct awsreply *r, int status, const char *code,
                    const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* Drop a reply half written when the error struck. */
    if (r->xml) {
        xmlFreeTextWriter(r->xml);
        xmlBufferFree(r->xml_buf);
        r->xml = NULL;
        r->xml_buf = NULL;
    }
    if (r->protocol == AWSREPLY_REST_JSON)
        rest_json_error(r, status, code, message);
    else if (r->protocol == AWSREPLY_JSON)
        json_error(r, status, code, message);
    else if (r->protocol == AWSREPLY_EC2)
        ec2_error(r, status, code, message);
    else if (accepts_json(r))
        query_error_json(r, status, code, message);
    else
        query_error(r, status, code, message);
}

char *awsreply_marker_encode(const char *position)
{
    size_t len = strlen(position);
    if (len > MARKER_MAX)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)position,
                        (int)len);
    return out;
}

char *awsreply_marker_decode(const char *marker)
{
    size_t len = strlen(marker);
    if (len == 0 || len % 4 || len > 4 * ((MARKER_MAX + 2) / 3))
        return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 1);
    if (!out)
        return NULL;
    int n = EVP_DecodeBlock(out, (const unsigned char *)marker, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the bytes that padding stands for. */
    for (const char *p = marker + len; p > marker && p[-1] == '='; p--)
        n--;
    out[n] = '\0';
    if (strlen((char *)out) != (size_t)n) {
        free(out);
        return NULL;
    }
    return (char *)out;
}

time_t awsreply_parse_time(const char *rfc3339)
{
    struct tm tm = {0};
    if (!rfc3339 || sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
                           &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                           &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

void awsreply_format_time(time_t t, char out[21])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ",
                                       &tm) != 20)
        strcpy(out, "1970-01-01T00:00:00Z");
}
