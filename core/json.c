/* json.c: strict cJSON readers that say where a document is wrong. */
#include "core/bg.h"
#include "core/json.h"

#include <math.h>

static bool has_nul_escape(const char *data, size_t len)
{
    const char *p = data, *end = data + len;

    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL && end - p >= 6) {
        if (memcmp(p, "\\u0000", 6) == 0)
            return true;
        p += p[1] == '\\' ? 2 : 1; /* skip an escaped backslash whole */
    }
    return false;
}

/* Whether the text ends inside a string or an open object/array: a file cut
 * short. cJSON's error position points at the last token it liked instead. */
/* How many arrays and objects are open after data[0..len), and whether a
 * string is (strings skipped). */
static size_t open_depth(const char *data, size_t len, bool *string_open)
{
    size_t depth = 0;
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        char c = data[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    *string_open = in_string;
    return depth;
}

static bool truncated(const char *data, size_t len)
{
    bool in_string;

    return open_depth(data, len, &in_string) > 0 || in_string;
}

/* Up to 12 bytes of data for an error message, cut at the line's end and
 * with other control bytes replaced, so a message stays on one line. */
static const char *snippet(const char *data, size_t len, char *out, size_t size)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n + 1 < size && n < 12; i++) {
        unsigned char c = (unsigned char)data[i];

        if (c == '\n' || c == '\r')
            break;
        /* ASCII only: never half of a UTF-8 character */
        out[n++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
    }
    out[n] = '\0';
    return out;
}

cJSON *bg_json_parse(const char *data, size_t len, const char *what, struct bg_diag *d)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    size_t off, line = 1, col = 1;
    char near[16];

    /* cJSON decodes \u0000 into a NUL that silently cuts the string short:
     * a name "a\u0000b" would be stored as "a". Refuse such documents. */
    if (root != NULL && has_nul_escape(data, len)) {
        cJSON_Delete(root);
        bg_fail(d, "%s: contains \\u0000, which benchgate does not accept in text", what);
        return NULL;
    }
    if (root != NULL) {
        /* only white space may follow the document */
        for (off = (size_t)(end - data); off < len; off++) {
            if (data[off] != ' ' && data[off] != '\t' && data[off] != '\n' && data[off] != '\r')
                break;
        }
        if (off == len)
            return root;
        cJSON_Delete(root);
        end = data + off;
    }
    off = end != NULL && end >= data && end <= data + len ? (size_t)(end - data) : len;
    if (root == NULL && truncated(data, len))
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (len == 0)
        bg_fail(d, "%s: empty input, expected a JSON document", what);
    else if (off >= len)
        bg_fail(d, "%s:%zu:%zu: invalid JSON: unexpected end of input (truncated file?)", what,
                line, col);
    else if (root != NULL)
        bg_fail(d, "%s:%zu:%zu: invalid JSON: unexpected data after the document", what, line,
                col);
    else if (open_depth(data, off + 1, &(bool){ false }) > CJSON_NESTING_LIMIT)
        bg_fail(d, "%s: invalid JSON: nested too deeply at line %zu (more than %d levels)", what,
                line, CJSON_NESTING_LIMIT);
    else
        bg_fail(d, "%s:%zu:%zu: invalid JSON near '%s'", what, line, col,
                snippet(data + off, len - off, near, sizeof(near)));
    return NULL;
}

void bg_json_add_string(struct bg_buf *b, const char *s)
{
    bg_buf_add(b, "\"", 1);
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"' || c == '\\')
            bg_buf_addf(b, "\\%c", c);
        else if (c == '\n')
            bg_buf_add(b, "\\n", 2);
        else if (c == '\t')
            bg_buf_add(b, "\\t", 2);
        else if (c < 0x20 || c == 0x7f)
            bg_buf_addf(b, "\\u%04x", c);
        else
            bg_buf_add(b, p, 1);
    }
    bg_buf_add(b, "\"", 1);
}

void bg_json_add_number(struct bg_buf *b, double v)
{
    char num[32];

    if (!isfinite(v)) {
        bg_buf_add(b, "null", 4);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(num, sizeof(num), "%.*g", prec, v);
        if (strtod(num, NULL) == v)
            break;
    }
    bg_buf_adds(b, num);
}

const char *bg_json_type(const cJSON *item)
{
    if (item == NULL)
        return "nothing";
    if (cJSON_IsObject(item))
        return "object";
    if (cJSON_IsArray(item))
        return "array";
    if (cJSON_IsString(item))
        return "string";
    if (cJSON_IsNumber(item))
        return "number";
    if (cJSON_IsBool(item))
        return cJSON_IsTrue(item) ? "true" : "false";
    if (cJSON_IsNull(item))
        return "null";
    return "invalid";
}

const cJSON *bg_json_get(const cJSON *obj, const char *key)
{
    if (!cJSON_IsObject(obj))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *type_name(int type)
{
    switch (type) {
    case cJSON_Object:
        return "an object";
    case cJSON_Array:
        return "an array";
    case cJSON_String:
        return "a string";
    case cJSON_Number:
        return "a number";
    default:
        return "a value";
    }
}

int bg_json_want(const cJSON *item, int type, const char *what, const char *path,
                 struct bg_diag *d)
{
    if (item == NULL)
        return bg_fail(d, "%s: %s: missing, expected %s", what, path, type_name(type));
    if ((item->type & 0xff) != type)
        return bg_fail(d, "%s: %s: expected %s, got %s", what, path, type_name(type),
                       bg_json_type(item));
    return 0;
}

int bg_json_number(const cJSON *item, double lo, double hi, const char *what, const char *path,
                   double *out, struct bg_diag *d)
{
    double v;

    if (bg_json_want(item, cJSON_Number, what, path, d) < 0)
        return -1;
    v = item->valuedouble;
    if (!isfinite(v))
        return bg_fail(d, "%s: %s: number is not finite", what, path);
    if (v < lo)
        return bg_fail(d, "%s: %s: %g is below the minimum %g", what, path, v, lo);
    if (v > hi)
        return bg_fail(d, "%s: %s: %g is above the maximum %g", what, path, v, hi);
    *out = v;
    return 0;
}

int bg_json_string(const cJSON *item, const char *what, const char *path, const char **out,
                   struct bg_diag *d)
{
    if (bg_json_want(item, cJSON_String, what, path, d) < 0)
        return -1;
    *out = item->valuestring;
    return 0;
}
