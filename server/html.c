/* html.c: escaping and the page frame (see html.h). */
#include "core/bg.h"
#include "server/html.h"

/* The code point of an invisible or direction-changing character at s (zero
 * width spaces and joiners, bidi embeddings, overrides and isolates, word
 * joiners, the byte order mark, the soft hyphen), else 0. Two names that
 * differ only by one look the same; a page shows it as <U+XXXX>. */
static unsigned invisible_at(const unsigned char *s)
{
    unsigned cp;

    if (s[0] == 0xc2 && s[1] == 0xad)
        return 0xad;
    if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
        return 0xfeff;
    if (s[0] != 0xe2 || (s[1] != 0x80 && s[1] != 0x81) || s[2] < 0x80 || s[2] > 0xbf)
        return 0;
    cp = 0x2000 + ((unsigned)(s[1] & 0x3f) << 6) + (s[2] & 0x3f);
    if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069))
        return cp;
    return 0;
}

void html_text(struct bg_buf *b, const char *s)
{
    for (const char *run = s;; s++) {
        const char *ent;
        unsigned cp;

        if ((unsigned char)*s >= 0xc2 && (cp = invisible_at((const unsigned char *)s)) != 0) {
            bg_buf_add(b, run, (size_t)(s - run));
            bg_buf_addf(b, "&lt;U+%04X&gt;", cp);
            s += cp < 0x800 ? 1 : 2; /* the loop steps past the last byte */
            run = s + 1;
            continue;
        }
        switch (*s) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        case '\0': ent = ""; break;
        default: continue;
        }
        bg_buf_add(b, run, (size_t)(s - run));
        if (*s == '\0')
            return;
        bg_buf_adds(b, ent);
        run = s + 1;
    }
}

void html_url(struct bg_buf *b, const char *s)
{
    bg_buf_add_url_part(b, s);
}

void html_page(struct bg_buf *out, const char *title, const char *nav, const char *main)
{
    const char *p = web_layout;

    for (;;) {
        const char *open = strstr(p, "{{"), *close = open != NULL ? strstr(open, "}}") : NULL;

        if (close == NULL) {
            bg_buf_adds(out, p);
            return;
        }
        bg_buf_add(out, p, (size_t)(open - p));
        if (strncmp(open, "{{title}}", 9) == 0)
            html_text(out, title);
        else if (strncmp(open, "{{nav}}", 7) == 0)
            bg_buf_adds(out, nav);
        else if (strncmp(open, "{{main}}", 8) == 0)
            bg_buf_adds(out, main);
        else if (strncmp(open, "{{version}}", 11) == 0)
            bg_buf_adds(out, BG_VERSION);
        p = close + 2;
    }
}

void html_error_page(struct bg_buf *out, int status, const char *msg)
{
    struct bg_buf main = BG_BUF_INIT;
    char title[32];

    snprintf(title, sizeof(title), "Error %d", status);
    bg_buf_addf(&main, "<h1>%s</h1>\n<p class=\"note error\">", title);
    html_text(&main, msg);
    bg_buf_adds(&main, "</p>\n<p><a href=\"/\">All projects</a></p>\n");
    html_page(out, title, "", main.data);
    bg_buf_release(&main);
}
