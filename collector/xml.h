/*
 * xml.h: a small, bounded XML pull reader, enough for benchmark reports.
 *
 * It yields start and end tags with decoded attributes and checks that
 * tags nest; text, comments, processing instructions and CDATA are
 * skipped. It refuses what such reports never need and attackers like:
 * DOCTYPE (so no entity definitions, no expansion bombs), unknown entities,
 * &#0;, more than XML_MAX_DEPTH levels or XML_MAX_ATTRS attributes. Every
 * error names PATH:LINE. Written here rather than pulled in (libxml2): a
 * few hundred lines that a fuzzer can cover beat configuring a general
 * parser safely.
 */
#ifndef BG_COLLECTOR_XML_H
#define BG_COLLECTOR_XML_H

#include "core/bg.h"
#include "core/err.h"

#define XML_MAX_DEPTH 64
#define XML_MAX_ATTRS 32
#define XML_MAX_VALUE 65536

enum xml_event { XML_START, XML_END, XML_EOF };

struct xml_attr {
    char *name, *value; /* value decoded: entities replaced */
};

struct xml_token {
    enum xml_event type;
    char *name;             /* element name (START and END) */
    struct xml_attr attrs[XML_MAX_ATTRS];
    size_t n_attrs;
    size_t line;            /* where the tag starts */
};

struct xml_reader {
    const char *path;
    const char *p, *end;
    size_t line;
    char *stack[XML_MAX_DEPTH]; /* open elements, for matching end tags */
    size_t depth;
    bool pending_end;           /* a self-closing tag: its END comes next */
};

void xml_init(struct xml_reader *r, const char *path, const char *data, size_t len);
void xml_release(struct xml_reader *r);

/*
 * The next tag. A self-closing <a/> gives START then END. Returns 0 and
 * fills t (release it with xml_token_release), or -1 with d filled; XML_EOF
 * only when every element was closed.
 */
int xml_next(struct xml_reader *r, struct xml_token *t, struct bg_diag *d);
void xml_token_release(struct xml_token *t);

/* The value of attribute name, or NULL. */
const char *xml_attr(const struct xml_token *t, const char *name);

/* The name of the first element (after the declaration, comments and white
 * space), copied into buf; false when the text does not start like XML. */
bool xml_root_name(const char *data, size_t len, char *buf, size_t size);

#endif /* BG_COLLECTOR_XML_H */
