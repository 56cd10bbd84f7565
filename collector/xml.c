/* xml.c: the bounded XML pull reader (see xml.h for what it accepts). */
#include "core/bg.h"
#include "collector/xml.h"
#include "core/buf.h"

void xml_init(struct xml_reader *r, const char *path, const char *data, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->path = path;
    r->p = data;
    r->end = data + len;
    r->line = 1;
}

void xml_release(struct xml_reader *r)
{
    for (size_t i = 0; i < r->depth; i++)
        free(r->stack[i]);
    r->depth = 0;
}

void xml_token_release(struct xml_token *t)
{
    free(t->name);
    for (size_t i = 0; i < t->n_attrs; i++) {
        free(t->attrs[i].name);
        free(t->attrs[i].value);
    }
    memset(t, 0, sizeof(*t));
}

const char *xml_attr(const struct xml_token *t, const char *name)
{
    for (size_t i = 0; i < t->n_attrs; i++) {
        if (strcmp(t->attrs[i].name, name) == 0)
            return t->attrs[i].value;
    }
    return NULL;
}

static int fail(struct xml_reader *r, struct bg_diag *d, const char *what)
{
    return bg_fail(d, "%s:%zu: %s", r->path, r->line, what);
}

static void advance(struct xml_reader *r, size_t n)
{
    for (size_t i = 0; i < n && r->p < r->end; i++, r->p++) {
        if (*r->p == '\n')
            r->line++;
    }
}

static bool starts(const struct xml_reader *r, const char *s)
{
    size_t n = strlen(s);

    return (size_t)(r->end - r->p) >= n && memcmp(r->p, s, n) == 0;
}

/* Skips to just past the terminator; -1 when the input ends first. */
static int skip_past(struct xml_reader *r, const char *term)
{
    while (r->p < r->end) {
        if (starts(r, term)) {
            advance(r, strlen(term));
            return 0;
        }
        advance(r, 1);
    }
    return -1;
}

static bool name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(struct xml_reader *r)
{
    while (r->p < r->end && space(*r->p))
        advance(r, 1);
}

static char *read_name(struct xml_reader *r)
{
    const char *s = r->p;

    if (r->p >= r->end || !name_start(*r->p))
        return NULL;
    while (r->p < r->end && name_char(*r->p) && r->p - s < 256)
        r->p++;
    return bg_xstrndup(s, (size_t)(r->p - s));
}

/* Appends code point cp as UTF-8; false for NUL, surrogates and past U+10FFFF. */
static bool put_utf8(struct bg_limbuf *b, unsigned long cp)
{
    unsigned char u[4];
    size_t n;

    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return false;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return bg_limbuf_add(b, u, n) == 0;
}

/* One entity after '&' up to ';' into b; -1 on an unknown or bad one. */
static int entity(struct xml_reader *r, struct bg_limbuf *b)
{
    static const struct { const char *name; char c; } named[] = {
        { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' },
    };
    const char *semi = r->p;
    size_t n;

    while (semi < r->end && *semi != ';' && semi - r->p < 12)
        semi++;
    if (semi >= r->end || *semi != ';')
        return -1;
    n = (size_t)(semi - r->p);
    for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
        if (strlen(named[i].name) == n && memcmp(r->p, named[i].name, n) == 0) {
            r->p = semi + 1;
            return bg_limbuf_add(b, &named[i].c, 1);
        }
    }
    if (n >= 2 && r->p[0] == '#') {
        bool hex = r->p[1] == 'x';
        unsigned long cp = 0;
        const char *q = r->p + (hex ? 2 : 1);

        if (q == semi)
            return -1;
        for (; q < semi; q++) {
            int v = *q >= '0' && *q <= '9'   ? *q - '0'
                    : hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
                    : hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10
                                                    : -1;

            if (v < 0 || cp > 0x10ffff)
                return -1;
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
        }
        r->p = semi + 1;
        return put_utf8(b, cp) ? 0 : -1;
    }
    return -1;
}

static int read_attr_value(struct xml_reader *r, char **out, struct bg_diag *d)
{
    struct bg_limbuf b = BG_LIMBUF_INIT(XML_MAX_VALUE);
    char quote;

    if (r->p >= r->end || (*r->p != '"' && *r->p != '\''))
        return fail(r, d, "attribute value without quotes");
    quote = *r->p;
    advance(r, 1);
    while (r->p < r->end && *r->p != quote) {
        if (*r->p == '<') {
            bg_buf_release(&b.buf);
            return fail(r, d, "'<' inside an attribute value");
        }
        if (*r->p == '&') {
            r->p++;
            if (entity(r, &b) < 0) {
                bg_buf_release(&b.buf);
                return fail(r, d, "unknown or invalid entity");
            }
            continue;
        }
        if (*r->p == '\0' || bg_limbuf_add(&b, r->p, 1) < 0) {
            bg_buf_release(&b.buf);
            return fail(r, d, *r->p == '\0' ? "NUL byte" : "attribute value too long");
        }
        advance(r, 1);
    }
    if (r->p >= r->end) {
        bg_buf_release(&b.buf);
        return fail(r, d, "unterminated attribute value (truncated file?)");
    }
    advance(r, 1);
    *out = bg_buf_detach(&b.buf, NULL);
    return 0;
}

static int start_tag(struct xml_reader *r, struct xml_token *t, struct bg_diag *d)
{
    t->type = XML_START;
    t->name = read_name(r);
    if (t->name == NULL)
        return fail(r, d, "expected an element name after '<'");
    for (;;) {
        struct xml_attr *a;

        skip_space(r);
        if (r->p >= r->end)
            return fail(r, d, "unterminated tag (truncated file?)");
        if (*r->p == '>') {
            advance(r, 1);
            break;
        }
        if (starts(r, "/>")) {
            advance(r, 2);
            r->pending_end = true;
            break;
        }
        if (t->n_attrs >= XML_MAX_ATTRS)
            return fail(r, d, "too many attributes");
        a = &t->attrs[t->n_attrs];
        a->name = read_name(r);
        if (a->name == NULL)
            return fail(r, d, "expected an attribute name");
        t->n_attrs++;
        skip_space(r);
        if (r->p >= r->end || *r->p != '=')
            return fail(r, d, "expected '=' after an attribute name");
        advance(r, 1);
        skip_space(r);
        if (read_attr_value(r, &a->value, d) < 0)
            return -1;
    }
    if (r->depth >= XML_MAX_DEPTH)
        return fail(r, d, "elements nested too deeply");
    r->stack[r->depth++] = bg_xstrdup(t->name);
    return 0;
}

static int end_tag(struct xml_reader *r, struct xml_token *t, struct bg_diag *d)
{
    t->type = XML_END;
    t->name = read_name(r);
    if (t->name == NULL)
        return fail(r, d, "expected an element name after '</'");
    skip_space(r);
    if (r->p >= r->end || *r->p != '>')
        return fail(r, d, "unterminated end tag (truncated file?)");
    advance(r, 1);
    if (r->depth == 0 || strcmp(r->stack[r->depth - 1], t->name) != 0)
        return fail(r, d, "end tag does not match the open element");
    free(r->stack[--r->depth]);
    return 0;
}

int xml_next(struct xml_reader *r, struct xml_token *t, struct bg_diag *d)
{
    memset(t, 0, sizeof(*t));
    if (r->pending_end) {
        r->pending_end = false;
        t->type = XML_END;
        t->line = r->line;
        t->name = r->stack[--r->depth]; /* ownership moves to the token */
        return 0;
    }
    for (;;) {
        while (r->p < r->end && *r->p != '<') {
            if (*r->p == '\0')
                return fail(r, d, "NUL byte");
            advance(r, 1); /* text between tags: not needed */
        }
        if (r->p >= r->end) {
            if (r->depth > 0)
                return fail(r, d, "unexpected end: an element was not closed (truncated file?)");
            t->type = XML_EOF;
            return 0;
        }
        t->line = r->line;
        if (starts(r, "<!--")) {
            if (skip_past(r, "-->") < 0)
                return fail(r, d, "unterminated comment");
        } else if (starts(r, "<![CDATA[")) {
            if (skip_past(r, "]]>") < 0)
                return fail(r, d, "unterminated CDATA section");
        } else if (starts(r, "<!")) {
            return fail(r, d, "DOCTYPE and other declarations are not accepted");
        } else if (starts(r, "<?")) {
            if (skip_past(r, "?>") < 0)
                return fail(r, d, "unterminated processing instruction");
        } else {
            bool end = starts(r, "</");
            int rc;

            advance(r, end ? 2 : 1);
            rc = end ? end_tag(r, t, d) : start_tag(r, t, d);
            if (rc < 0)
                xml_token_release(t); /* a failed tag leaves nothing to free */
            return rc;
        }
    }
}

bool xml_root_name(const char *data, size_t len, char *buf, size_t size)
{
    struct xml_reader r;
    const char *s;

    xml_init(&r, "", data, len);
    for (;;) {
        skip_space(&r);
        if (starts(&r, "<?")) {
            if (skip_past(&r, "?>") < 0)
                return false;
        } else if (starts(&r, "<!--")) {
            if (skip_past(&r, "-->") < 0)
                return false;
        } else {
            break;
        }
    }
    if (r.p >= r.end || *r.p != '<')
        return false;
    s = ++r.p;
    while (r.p < r.end && name_char(*r.p) && (size_t)(r.p - s) + 1 < size)
        r.p++;
    if (r.p == s || (r.p < r.end && !space(*r.p) && *r.p != '>' && *r.p != '/'))
        return false;
    memcpy(buf, s, (size_t)(r.p - s));
    buf[r.p - s] = '\0';
    return true;
}
