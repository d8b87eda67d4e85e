/* Compiled per-item work of chitti.news.parse: the same output as its Python code, faster.
 *
 * Two entry points:
 *   article(...)       one item's raw field texts -> ParsedArticle, None (skipped item) or
 *                      NotImplemented (an input this code does not take on: the caller runs
 *                      the Python form, chitti.news.parse._py_article).
 *   rss_articles(...)  reads the items of an RSS channel (or RDF root) straight off the
 *                      libxml2 tree under an lxml element, and returns the list of articles
 *                      (items this code does not take on go to the Python callback), or None
 *                      when the tree holds anything unusual (element or entity content in a
 *                      field, a DTD): the caller then runs the Python form for the whole feed.
 *
 * The rule throughout: answer only where the result is certain to equal the Python code's,
 * else hand the item (or the feed) back. Every scan is linear in its input: each search that
 * could be repeated from successive starts keeps its last answer (see drop_blocks).
 *
 * The libxml2 and lxml structures are read through mirrors of their public layouts
 * (libxml2's struct _xmlNode, _xmlAttr, _xmlNs; lxml's `public` struct LxmlElement, see
 * lxml/includes/lxml.etree.h); chitti.news.parse checks on import that this module reads a
 * sample tree exactly as lxml does, and uses it only then.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <stdint.h>
#include <string.h>

/* ---- mirrors of the public libxml2 / lxml layouts --------------------------------------- */

typedef unsigned char xchar;

typedef struct fp_ns {
    struct fp_ns *next;
    int type;
    const xchar *href;
    const xchar *prefix;
    void *private_;
    void *context;
} fp_ns;

typedef struct fp_node {
    void *private_;
    int type;
    const xchar *name;
    struct fp_node *children;
    struct fp_node *last;
    struct fp_node *parent;
    struct fp_node *next;
    struct fp_node *prev;
    struct fp_node *doc;
    fp_ns *ns;
    xchar *content;
    struct fp_attr *properties;
    fp_ns *nsDef;
    void *psvi;
    unsigned short line;
    unsigned short extra;
} fp_node;

typedef struct fp_attr {
    void *private_;
    int type;
    const xchar *name;
    struct fp_node *children;
    struct fp_node *last;
    struct fp_node *parent;
    struct fp_attr *next;
    struct fp_attr *prev;
    void *doc;
    fp_ns *ns;
} fp_attr;

typedef struct {
    PyObject_HEAD
    void *doc;
    fp_node *c_node;
    PyObject *tag;
} fp_element;

enum { N_ELEMENT = 1, N_TEXT = 3, N_CDATA = 4, N_DTD = 14 };

/* ---- module state (set once by configure()) -------------------------------------------- */

static PyObject *article_type = NULL;  /* chitti.news.parse.ParsedArticle */
static PyObject *element_type = NULL;  /* lxml.etree._Element */
static PyObject *unescape_fn = NULL;   /* html.unescape */

/* ---- growable UCS4 buffers --------------------------------------------------------------- */

typedef struct {
    Py_UCS4 *p;
    Py_ssize_t n, cap;
} buf_t;

static int buf_reserve(buf_t *b, Py_ssize_t extra) {
    if (extra < 0 || b->n > PY_SSIZE_T_MAX / 8 - extra) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t need = b->n + extra;
    if (need <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    Py_UCS4 *p = PyMem_Realloc(b->p, (size_t)cap * sizeof(Py_UCS4));
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_put(buf_t *b, const Py_UCS4 *s, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->p + b->n, s, (size_t)n * sizeof(Py_UCS4));
    b->n += n;
    return 0;
}

static int buf_putc(buf_t *b, Py_UCS4 c) {
    if (b->n >= b->cap && buf_reserve(b, 1) < 0) return -1;
    b->p[b->n++] = c;
    return 0;
}

static int buf_puts(buf_t *b, const char *s) {
    Py_ssize_t n = (Py_ssize_t)strlen(s);
    if (buf_reserve(b, n) < 0) return -1;
    for (Py_ssize_t i = 0; i < n; i++) b->p[b->n + i] = (unsigned char)s[i];
    b->n += n;
    return 0;
}

static void buf_free(buf_t *b) {
    PyMem_Free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

static PyObject *buf_str(const Py_UCS4 *s, Py_ssize_t n) {
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, n ? s : (const Py_UCS4 *)"", n);
}

/* Copy a str into a buffer (replacing its content). */
static int buf_from_str(buf_t *b, PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    b->n = 0;
    if (buf_reserve(b, n + 1) < 0) return -1;
    if (PyUnicode_AsUCS4(s, b->p, n + 1, 0) == NULL) return -1;
    b->n = n;
    return 0;
}

static int starts_with_ascii(const Py_UCS4 *s, Py_ssize_t n, const char *prefix) {
    Py_ssize_t k = (Py_ssize_t)strlen(prefix);
    if (n < k) return 0;
    for (Py_ssize_t i = 0; i < k; i++)
        if (s[i] != (unsigned char)prefix[i]) return 0;
    return 1;
}

static int eq_ascii(const Py_UCS4 *s, Py_ssize_t n, const char *text) {
    return (Py_ssize_t)strlen(text) == n && starts_with_ascii(s, n, text);
}

static Py_ssize_t find_char(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t from, Py_UCS4 c) {
    for (Py_ssize_t i = from; i < n; i++)
        if (s[i] == c) return i;
    return -1;
}

static int contains_char(const Py_UCS4 *s, Py_ssize_t n, Py_UCS4 c) {
    return find_char(s, n, 0, c) >= 0;
}

static int contains_ascii(const Py_UCS4 *s, Py_ssize_t n, const char *needle) {
    Py_ssize_t k = (Py_ssize_t)strlen(needle);
    for (Py_ssize_t i = 0; i + k <= n; i++)
        if (s[i] == (unsigned char)needle[0] && starts_with_ascii(s + i, n - i, needle)) return 1;
    return 0;
}

#define IS_SPACE(c) Py_UNICODE_ISSPACE(c)

/* " ".join(s.split()) */
static int collapse_into(buf_t *out, const Py_UCS4 *s, Py_ssize_t n) {
    out->n = 0;
    if (buf_reserve(out, n) < 0) return -1;
    Py_UCS4 *w = out->p;
    Py_ssize_t i = 0;
    int first = 1;
    while (i < n) {
        while (i < n && IS_SPACE(s[i])) i++;
        if (i >= n) break;
        if (!first) *w++ = ' ';
        first = 0;
        while (i < n && !IS_SPACE(s[i])) *w++ = s[i++];
    }
    out->n = w - out->p;
    return 0;
}

/* "".join(s.split()) */
static int remove_ws_into(buf_t *out, const Py_UCS4 *s, Py_ssize_t n) {
    out->n = 0;
    if (buf_reserve(out, n) < 0) return -1;
    Py_UCS4 *w = out->p;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!IS_SPACE(s[i])) *w++ = s[i];
    out->n = w - out->p;
    return 0;
}

static void strip_range(const Py_UCS4 *s, Py_ssize_t *start, Py_ssize_t *end) {
    while (*start < *end && IS_SPACE(s[*start])) (*start)++;
    while (*end > *start && IS_SPACE(s[*end - 1])) (*end)--;
}

/* ---- html_to_text ------------------------------------------------------------------------ */

/* re.IGNORECASE literal match of a pattern letter in "scriptyle": lower(ch) equals it, or is
 * one of the extra case forms Python's re folds in (long s for s, dotless i for i). */
static int fold_letter(Py_UCS4 ch, char letter) {
    Py_UCS4 lower = Py_UNICODE_TOLOWER(ch);
    if (lower == (Py_UCS4)letter) return 1;
    if (letter == 's' && lower == 0x17F) return 1;
    if (letter == 'i' && lower == 0x131) return 1;
    return 0;
}

static int is_word(Py_UCS4 ch) { return Py_UNICODE_ISALNUM(ch) || ch == '_'; }

typedef struct {
    Py_ssize_t from, at; /* the answer `at` (-1: none) of the last search started at `from` */
} memo_t;

/* First position >= q of '>' */
static Py_ssize_t memo_find_gt(memo_t *m, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t q) {
    if (m->from >= 0 && m->from <= q && (m->at < 0 || m->at >= q)) return m->at;
    m->from = q;
    m->at = find_char(s, n, q, '>');
    return m->at;
}

/* First position >= q where "-->" starts */
static Py_ssize_t memo_find_comment_end(memo_t *m, const Py_UCS4 *s, Py_ssize_t n,
                                        Py_ssize_t q) {
    if (m->from >= 0 && m->from <= q && (m->at < 0 || m->at >= q)) return m->at;
    m->from = q;
    m->at = -1;
    for (Py_ssize_t i = q; i + 2 < n; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>') {
            m->at = i;
            break;
        }
    return m->at;
}

/* Does `</` + name (compared lower-case, as re's backreference under IGNORECASE) + \s* + `>`
 * start at i? Returns the end of the match or -1. */
static Py_ssize_t closer_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i, const Py_UCS4 *name_lower,
                            Py_ssize_t name_len) {
    if (i + 2 + name_len > n || s[i] != '<' || s[i + 1] != '/') return -1;
    for (Py_ssize_t k = 0; k < name_len; k++)
        if (Py_UNICODE_TOLOWER(s[i + 2 + k]) != name_lower[k]) return -1;
    Py_ssize_t j = i + 2 + name_len;
    while (j < n && IS_SPACE(s[j])) j++;
    return (j < n && s[j] == '>') ? j + 1 : -1;
}

/* The name variants a `<script`/`<style` opening can lower-case to: lower(ch) of a char
 * re matches against "s" is s or long s, against "i" is i or dotless i. */
static int variant_of(const Py_UCS4 *lowered, Py_ssize_t len) {
    if (len == 6) { /* script */
        return (lowered[0] == 's' ? 0 : 1) + (lowered[3] == 'i' ? 0 : 2);
    }
    return 4 + (lowered[0] == 's' ? 0 : 1); /* style */
}

/* _DROP_BLOCKS.sub(" ", s): <(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->  (re.I | re.S) */
static int drop_blocks(buf_t *out, const Py_UCS4 *s, Py_ssize_t n) {
    memo_t gt = {-1, -1}, comment = {-1, -1};
    memo_t closers[6];
    for (int v = 0; v < 6; v++) closers[v].from = closers[v].at = -1;
    out->n = 0;
    if (buf_reserve(out, n) < 0) return -1;
    Py_ssize_t i = 0;
    while (i < n) {
        if (s[i] != '<') {
            out->p[out->n++] = s[i++];
            continue;
        }
        Py_ssize_t end = -1;
        /* alternative 1: script or style (re tries "script" first) */
        static const char *names[2] = {"script", "style"};
        for (int w = 0; w < 2 && end < 0; w++) {
            const char *name = names[w];
            Py_ssize_t len = (Py_ssize_t)strlen(name), k;
            if (i + 1 + len > n) continue;
            for (k = 0; k < len; k++)
                if (!fold_letter(s[i + 1 + k], name[k])) break;
            if (k < len) continue;
            Py_ssize_t after = i + 1 + len;
            if (after < n && is_word(s[after])) continue; /* \b */
            Py_ssize_t g = memo_find_gt(&gt, s, n, after);
            if (g < 0) continue;
            Py_UCS4 lowered[6];
            for (k = 0; k < len; k++) lowered[k] = Py_UNICODE_TOLOWER(s[i + 1 + k]);
            memo_t *m = &closers[variant_of(lowered, len)];
            Py_ssize_t q = g + 1, at;
            if (m->from >= 0 && m->from <= q && (m->at < 0 || m->at >= q)) {
                at = m->at;
            } else {
                at = -1;
                for (Py_ssize_t p = q; p + 1 < n; p++)
                    if (s[p] == '<' && s[p + 1] == '/' && closer_at(s, n, p, lowered, len) >= 0) {
                        at = p;
                        break;
                    }
                m->from = q;
                m->at = at;
            }
            if (at >= 0) end = closer_at(s, n, at, lowered, len);
        }
        /* alternative 2: a comment */
        if (end < 0 && i + 3 < n && s[i + 1] == '!' && s[i + 2] == '-' && s[i + 3] == '-') {
            Py_ssize_t at = memo_find_comment_end(&comment, s, n, i + 4);
            if (at >= 0) end = at + 3;
        }
        if (end < 0) {
            out->p[out->n++] = s[i++];
        } else {
            out->p[out->n++] = ' ';
            i = end;
        }
    }
    return 0;
}

static int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_ascii_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }
static int is_hex(Py_UCS4 c) {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* _TAG.sub(" ", s) (cdata) or _TAG_ONLY.sub(" ", s):
 * </?[A-Za-z][^<>]*>  |  <!\[CDATA\[  |  \]\]>  */
static int strip_tags(buf_t *out, const Py_UCS4 *s, Py_ssize_t n, int cdata) {
    out->n = 0;
    if (buf_reserve(out, n) < 0) return -1;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = s[i];
        Py_ssize_t end = -1;
        if (c == '<') {
            Py_ssize_t j = i + 1;
            if (j < n && s[j] == '/') j++;
            if (j < n && is_ascii_letter(s[j])) {
                Py_ssize_t k = j + 1;
                while (k < n && s[k] != '<' && s[k] != '>') k++;
                if (k < n && s[k] == '>') end = k + 1;
            }
            if (end < 0 && cdata && starts_with_ascii(s + i, n - i, "<![CDATA[")) end = i + 9;
        } else if (c == ']' && cdata && starts_with_ascii(s + i, n - i, "]]>")) {
            end = i + 3;
        }
        if (end < 0) {
            out->p[out->n++] = s[i++];
        } else {
            out->p[out->n++] = ' ';
            i = end;
        }
    }
    return 0;
}

/* _ENTITY.search: &(?:#\d|#[xX][0-9A-Fa-f]|[A-Za-z][A-Za-z0-9]*;?) */
static int has_entity(const Py_UCS4 *s, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        if (s[i] != '&') continue;
        Py_UCS4 c = s[i + 1];
        if (is_ascii_letter(c)) return 1;
        if (c == '#' && i + 2 < n) {
            Py_UCS4 d = s[i + 2];
            if (Py_UNICODE_ISDECIMAL(d)) return 1;
            if ((d == 'x' || d == 'X') && i + 3 < n && is_hex(s[i + 3])) return 1;
        }
    }
    return 0;
}

static const struct {
    const char *ref;
    Py_UCS4 ch;
} COMMON_REFERENCES[] = {
    {"&nbsp;", 0xA0}, {"&quot;", '"'}, {"&#39;", '\''}, {"&lt;", '<'},
    {"&gt;", '>'},    {"&#039;", '\''}, {"&apos;", '\''},
};

/* text.py's _unescape: the common references replaced (one pass equals the sequential
 * str.replace calls: references cannot overlap and no replacement makes an "&"); then either
 * no "&" left, or only "&amp;" (replaced), or html.unescape on the input decides. */
static int unescape_into(buf_t *out, const Py_UCS4 *s, Py_ssize_t n) {
    out->n = 0;
    if (buf_reserve(out, n) < 0) return -1;
    Py_ssize_t ampersands = 0, amps = 0;
    for (Py_ssize_t i = 0; i < n;) {
        if (s[i] == '&') {
            size_t r;
            for (r = 0; r < sizeof COMMON_REFERENCES / sizeof COMMON_REFERENCES[0]; r++)
                if (starts_with_ascii(s + i, n - i, COMMON_REFERENCES[r].ref)) break;
            if (r < sizeof COMMON_REFERENCES / sizeof COMMON_REFERENCES[0]) {
                out->p[out->n++] = COMMON_REFERENCES[r].ch;
                i += (Py_ssize_t)strlen(COMMON_REFERENCES[r].ref);
                continue;
            }
            ampersands++;
            if (starts_with_ascii(s + i, n - i, "&amp;")) amps++;
        }
        out->p[out->n++] = s[i++];
    }
    if (ampersands == 0) return 0;
    if (ampersands == amps) {
        Py_ssize_t w = 0;
        for (Py_ssize_t i = 0; i < out->n;) {
            if (out->p[i] == '&' && starts_with_ascii(out->p + i, out->n - i, "&amp;")) {
                out->p[w++] = '&';
                i += 5;
            } else {
                out->p[w++] = out->p[i++];
            }
        }
        out->n = w;
        return 0;
    }
    PyObject *text = buf_str(s, n);
    if (text == NULL) return -1;
    PyObject *result = PyObject_CallOneArg(unescape_fn, text);
    Py_DECREF(text);
    if (result == NULL) return -1;
    if (!PyUnicode_Check(result)) {
        Py_DECREF(result);
        PyErr_SetString(PyExc_TypeError, "html.unescape returned a non-str");
        return -1;
    }
    int rc = buf_from_str(out, result);
    Py_DECREF(result);
    return rc;
}

typedef struct {
    buf_t a, b;
} scratch_t;

enum {
    F_LT = 1,        /* "<" */
    F_AMP = 2,       /* "&" */
    F_BLOCKS = 4,    /* "<!--", "<s" or "<S": _DROP_BLOCKS may apply */
    F_CDATA = 8,     /* "<![CDATA[" or "]]>" */
};

/* The substrings html_to_text tests for, in one pass. */
static int scan_flags(const Py_UCS4 *s, Py_ssize_t n) {
    int flags = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c == '<') {
            flags |= F_LT;
            Py_UCS4 next = i + 1 < n ? s[i + 1] : 0;
            if (next == 's' || next == 'S' || starts_with_ascii(s + i, n - i, "<!--"))
                flags |= F_BLOCKS;
            if (next == '!' && starts_with_ascii(s + i, n - i, "<![CDATA[")) flags |= F_CDATA;
        } else if (c == '&') {
            flags |= F_AMP;
        } else if (c == ']' && starts_with_ascii(s + i, n - i, "]]>")) {
            flags |= F_CDATA;
        }
    }
    return flags;
}

/* html_to_text(s) into out (which must not be a scratch buffer); flags from scan_flags(s). */
static int html_to_text_flags(buf_t *out, scratch_t *tmp, const Py_UCS4 *s, Py_ssize_t n,
                              int flags) {
    const Py_UCS4 *cur = s;
    Py_ssize_t len = n;
    if (flags & F_LT) {
        if (flags & F_BLOCKS) {
            if (drop_blocks(&tmp->a, cur, len) < 0) return -1;
            cur = tmp->a.p;
            len = tmp->a.n;
            flags = scan_flags(cur, len);
        }
        if (strip_tags(&tmp->b, cur, len, (flags & F_CDATA) != 0) < 0) return -1;
        cur = tmp->b.p;
        len = tmp->b.n;
        flags = (flags & F_AMP) ? scan_flags(cur, len) : 0; /* no "&" before, none after */
    }
    if ((flags & F_AMP) && has_entity(cur, len)) {
        buf_t *dst = (cur == tmp->a.p) ? &tmp->b : &tmp->a;
        if (unescape_into(dst, cur, len) < 0) return -1;
        cur = dst->p;
        len = dst->n;
    }
    return collapse_into(out, cur, len);
}

static int html_to_text(buf_t *out, scratch_t *tmp, const Py_UCS4 *s, Py_ssize_t n) {
    return html_to_text_flags(out, tmp, s, n, scan_flags(s, n));
}

/* _clean_title / the summary's first step: html_to_text when markup, else collapse. */
static int clean_text(buf_t *out, scratch_t *tmp, const Py_UCS4 *s, Py_ssize_t n) {
    int flags = scan_flags(s, n);
    if (flags & (F_LT | F_AMP)) return html_to_text_flags(out, tmp, s, n, flags);
    return collapse_into(out, s, n);
}

/* ---- BLAKE2b (RFC 7693), 16-byte digest, no key ------------------------------------------ */

static const uint64_t B2_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

#define ROTR64(x, y) (((x) >> (y)) | ((x) << (64 - (y))))
#define B2_G(a, b, c, d, x, y)        \
    do {                              \
        v[a] = v[a] + v[b] + (x);     \
        v[d] = ROTR64(v[d] ^ v[a], 32); \
        v[c] = v[c] + v[d];           \
        v[b] = ROTR64(v[b] ^ v[c], 24); \
        v[a] = v[a] + v[b] + (y);     \
        v[d] = ROTR64(v[d] ^ v[a], 16); \
        v[c] = v[c] + v[d];           \
        v[b] = ROTR64(v[b] ^ v[c], 63); \
    } while (0)

static void b2_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; i++) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--) w = (w << 8) | block[i * 8 + k];
        m[i] = w;
    }
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= t;
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *sg = B2_SIGMA[r];
        B2_G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
        B2_G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
        B2_G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
        B2_G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
        B2_G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
        B2_G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
        B2_G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
        B2_G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* hexdigest of blake2b(data, digest_size=16) into hex[33] */
static void blake2b_16_hex(const uint8_t *data, size_t len, char hex[33]) {
    uint64_t h[8];
    uint8_t block[128];
    for (int i = 0; i < 8; i++) h[i] = B2_IV[i];
    h[0] ^= 0x01010000ULL ^ 16;
    uint64_t t = 0;
    while (len > 128) {
        t += 128;
        b2_compress(h, data, t, 0);
        data += 128;
        len -= 128;
    }
    memset(block, 0, sizeof block);
    if (len) memcpy(block, data, len);
    t += len;
    b2_compress(h, block, t, 1);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        uint8_t byte = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    hex[32] = 0;
}

/* _digest(prefix + text): NULL with no error set when the text cannot be UTF-8 (a lone
 * surrogate: the Python form raises, so the caller hands the item back). */
static PyObject *digest(const char *prefix, const Py_UCS4 *s, Py_ssize_t n) {
    size_t plen = strlen(prefix);
    if ((size_t)n > (PY_SSIZE_T_MAX - plen) / 4) {
        PyErr_NoMemory();
        return NULL;
    }
    uint8_t stack[1024];
    size_t cap = plen + 4 * (size_t)n;
    uint8_t *bytes = cap <= sizeof stack ? stack : PyMem_Malloc(cap);
    if (bytes == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(bytes, prefix, plen);
    size_t w = plen;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c < 0x80) {
            bytes[w++] = (uint8_t)c;
        } else if (c < 0x800) {
            bytes[w++] = (uint8_t)(0xC0 | (c >> 6));
            bytes[w++] = (uint8_t)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                if (bytes != stack) PyMem_Free(bytes);
                return NULL;
            }
            bytes[w++] = (uint8_t)(0xE0 | (c >> 12));
            bytes[w++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            bytes[w++] = (uint8_t)(0x80 | (c & 0x3F));
        } else {
            bytes[w++] = (uint8_t)(0xF0 | (c >> 18));
            bytes[w++] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            bytes[w++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            bytes[w++] = (uint8_t)(0x80 | (c & 0x3F));
        }
    }
    char hex[33];
    blake2b_16_hex(bytes, w, hex);
    if (bytes != stack) PyMem_Free(bytes);
    return PyUnicode_FromStringAndSize(hex, 32);
}

/* ---- links ------------------------------------------------------------------------------- */

enum { OK = 0, DEFER = 1, FAIL = -1 };

static const char *TRACKING[] = {"fbclid",    "gclid",       "dclid",          "msclkid",
                                 "mc_cid",    "mc_eid",      "igshid",         "ref_src",
                                 "cmpid",     "_ga",         "yclid",          "spm",
                                 "at_medium", "at_campaign", "at_link_origin", "at_ptr_name"};

/* _is_tracking(key.lower()) for an ASCII key */
static int is_tracking(const Py_UCS4 *key, Py_ssize_t n) {
    Py_UCS4 lower[16];
    if (n >= 4) {
        const char *utm = "utm_";
        int match = 1;
        for (int k = 0; k < 4; k++)
            if (Py_UNICODE_TOLOWER(key[k]) != (Py_UCS4)utm[k]) match = 0;
        if (match) return 1;
    }
    if (n > 16) return 0;
    for (Py_ssize_t k = 0; k < n; k++) lower[k] = Py_UNICODE_TOLOWER(key[k]);
    for (size_t t = 0; t < sizeof TRACKING / sizeof TRACKING[0]; t++)
        if (eq_ascii(lower, n, TRACKING[t])) return 1;
    return 0;
}

typedef struct {
    const Py_UCS4 *s;
    Py_ssize_t n;
} span_t;

static int span_cmp(const void *x, const void *y) {
    const span_t *a = x, *b = y;
    Py_ssize_t m = a->n < b->n ? a->n : b->n;
    for (Py_ssize_t i = 0; i < m; i++)
        if (a->s[i] != b->s[i]) return a->s[i] < b->s[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

static int url_form(buf_t *out, const Py_UCS4 *url, Py_ssize_t n, int depth);

/* urlsplit(url).hostname == "news.google.com", for a URL of printable ASCII without space that
 * starts with http:// or https://; DEFER for netlocs with brackets (urlsplit may raise). */
static int original_is_google(const Py_UCS4 *url, Py_ssize_t n, int *is_google) {
    Py_ssize_t i = url[4] == 's' ? 8 : 7, end = i;
    while (end < n && url[end] != '/' && url[end] != '?' && url[end] != '#') end++;
    Py_ssize_t start = i;
    for (Py_ssize_t k = i; k < end; k++) {
        if (url[k] == '[' || url[k] == ']') return DEFER;
        if (url[k] == '@') start = k + 1;
    }
    Py_ssize_t stop = start;
    while (stop < end && url[stop] != ':') stop++;
    Py_UCS4 lower[16];
    if (stop - start != 15) {
        *is_google = 0;
        return OK;
    }
    for (Py_ssize_t k = 0; k < 15; k++) lower[k] = Py_UNICODE_TOLOWER(url[start + k]);
    *is_google = eq_ascii(lower, 15, "news.google.com");
    return OK;
}

static int b64_value(Py_UCS4 c) {
    if (c >= 'A' && c <= 'Z') return (int)(c - 'A');
    if (c >= 'a' && c <= 'z') return (int)(c - 'a' + 26);
    if (c >= '0' && c <= '9') return (int)(c - '0' + 52);
    if (c == '-') return 62;
    return 63; /* '_' (the id is [A-Za-z0-9_-]+) */
}

/* Strict UTF-8 (as str.decode) appended to out; -1 on invalid bytes (no error set). */
static int utf8_decode(buf_t *out, const xchar *s, size_t len) {
    if (len > (size_t)PY_SSIZE_T_MAX / 8) return -1;
    if (buf_reserve(out, (Py_ssize_t)len) < 0) return -2;
    size_t i = 0;
    while (i < len) {
        uint32_t c = s[i];
        if (c < 0x80) {
            Py_UCS4 *w = out->p + out->n;
            size_t start = i;
            while (i < len && s[i] < 0x80) *w++ = s[i++];
            out->n += (Py_ssize_t)(i - start);
            continue;
        }
        int extra;
        uint32_t min;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            min = 0x80;
            c &= 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            min = 0x800;
            c &= 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return -1;
        }
        if (i + (size_t)extra >= len + 1 || len - i <= (size_t)extra) return -1;
        for (int k = 1; k <= extra; k++) {
            uint32_t cc = s[i + k];
            if ((cc & 0xC0) != 0x80) return -1;
            c = (c << 6) | (cc & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return -1;
        out->p[out->n++] = c;
        i += (size_t)extra + 1;
    }
    return 0;
}

static int utf8_append(buf_t *out, const xchar *s) {
    return utf8_decode(out, s, strlen((const char *)s));
}

/* google_news_original_url(id): OK with *url set (or NULL for None); DEFER when the URL is not
 * printable ASCII (whose urlsplit this code does not replicate). *url is PyMem-allocated. */
static int google_original(const Py_UCS4 *id, Py_ssize_t n, Py_UCS4 **url, Py_ssize_t *url_len) {
    *url = NULL;
    if (n % 4 == 1) return OK; /* binascii refuses: "cannot be 1 more than a multiple of 4" */
    size_t raw_len = (size_t)n / 4 * 3 + (n % 4 == 2 ? 1 : n % 4 == 3 ? 2 : 0);
    uint8_t *raw = PyMem_Malloc(raw_len + 1);
    if (raw == NULL) {
        PyErr_NoMemory();
        return FAIL;
    }
    size_t w = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        acc = (acc << 6) | (uint32_t)b64_value(id[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[w++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    int rc = OK;
    size_t pos = 0;
    while (pos < w) {
        uint64_t value = 0;
        int shift = 0, done = 0;
        /* _read_varint for the key */
        uint64_t field[2];
        for (int which = 0; which < 2; which++) {
            value = 0;
            shift = 0;
            done = 0;
            while (pos < w && shift < 35) {
                uint8_t byte = raw[pos++];
                value |= (uint64_t)(byte & 0x7F) << shift;
                if (!(byte & 0x80)) {
                    done = 1;
                    break;
                }
                shift += 7;
            }
            if (!done) goto out; /* truncated varint: None */
            field[which] = value;
            if (which == 0) {
                unsigned wire = (unsigned)(field[0] & 7);
                if (wire != 0 && wire != 2) goto out; /* None */
            }
        }
        if ((field[0] & 7) == 0) continue;
        uint64_t length = field[1];
        size_t start = pos;
        size_t avail = w - start;
        pos = length > (uint64_t)avail ? w + 1 : start + (size_t)length;
        if (length > (uint64_t)avail) {
            /* chunk shorter than length: not returned, and the loop ends */
            break;
        }
        const uint8_t *chunk = raw + start;
        size_t len = (size_t)length;
        int http = (len >= 7 && memcmp(chunk, "http://", 7) == 0) ||
                   (len >= 8 && memcmp(chunk, "https://", 8) == 0);
        if (!http) continue;
        for (size_t k = 0; k < len; k++) {
            if (chunk[k] >= 0x80) {
                /* invalid UTF-8: None (UnicodeDecodeError); else beyond this code's urlsplit */
                buf_t check = {0};
                int valid = utf8_decode(&check, chunk, len);
                buf_free(&check);
                if (valid == -2) rc = FAIL;
                else if (valid == 0) rc = DEFER;
                goto out;
            }
        }
        for (size_t k = 0; k < len; k++) {
            if (chunk[k] <= 0x20 || chunk[k] >= 0x7F) {
                rc = DEFER;
                goto out;
            }
        }
        Py_UCS4 *copy = PyMem_Malloc((len + 1) * sizeof(Py_UCS4));
        if (copy == NULL) {
            PyErr_NoMemory();
            rc = FAIL;
            goto out;
        }
        for (size_t k = 0; k < len; k++) copy[k] = chunk[k];
        *url = copy;
        *url_len = (Py_ssize_t)len;
        goto out;
    }
out:
    PyMem_Free(raw);
    return rc;
}

static int is_id_char(Py_UCS4 c) {
    return is_ascii_letter(c) || is_ascii_digit(c) || c == '_' || c == '-';
}

/* _google_form(path): DEFER where it would give None (the caller then takes _split_form). */
static int google_form(buf_t *out, const Py_UCS4 *path, Py_ssize_t n, int depth) {
    for (Py_ssize_t p = 0; p < n; p++) {
        if (path[p] != '/') continue;
        Py_ssize_t j = p + 1;
        if (starts_with_ascii(path + j, n - j, "rss/")) {
            Py_ssize_t k = j + 4;
            if (starts_with_ascii(path + k, n - k, "articles/") ||
                starts_with_ascii(path + k, n - k, "read/")) {
                j = k;
            }
        }
        if (starts_with_ascii(path + j, n - j, "articles/")) {
            j += 9;
        } else if (starts_with_ascii(path + j, n - j, "read/")) {
            j += 5;
        } else {
            continue;
        }
        Py_ssize_t id_end = j;
        while (id_end < n && is_id_char(path[id_end])) id_end++;
        if (id_end == j) continue;
        const Py_UCS4 *id = path + j;
        Py_ssize_t id_len = id_end - j;
        Py_UCS4 *original = NULL;
        Py_ssize_t original_len = 0;
        int rc = google_original(id, id_len, &original, &original_len);
        if (rc != OK) return rc;
        if (original != NULL) {
            int is_google = 0;
            rc = original_is_google(original, original_len, &is_google);
            if (rc == OK && !is_google) {
                rc = url_form(out, original, original_len, depth + 1);
                PyMem_Free(original);
                return rc;
            }
            PyMem_Free(original);
            if (rc != OK) return rc;
        }
        out->n = 0;
        if (buf_puts(out, "https://news.google.com/articles/") < 0) return FAIL;
        return buf_put(out, id, id_len) < 0 ? FAIL : OK;
    }
    return DEFER;
}

/* normalise_url(url) where _fast_form answers (the URL has no whitespace); else DEFER. */
static int url_form(buf_t *out, const Py_UCS4 *url, Py_ssize_t n, int depth) {
    if (depth > 8) return DEFER;
    Py_ssize_t skip;
    if (starts_with_ascii(url, n, "https://")) {
        skip = 8;
    } else if (starts_with_ascii(url, n, "http://")) {
        skip = 7;
    } else {
        return DEFER;
    }
    const Py_UCS4 *rest = url + skip;
    Py_ssize_t rn = n - skip;
    Py_ssize_t slash = find_char(rest, rn, 0, '/');
    if (slash <= 0) return DEFER;
    int cased = 0;
    for (Py_ssize_t i = 0; i < slash; i++) {
        Py_UCS4 c = rest[i];
        if (c >= 0x80 || (c >= 'A' && c <= 'Z') || c == ':' || c == '@') return DEFER;
        if (c >= 'a' && c <= 'z') cased = 1;
    }
    if (!cased) return DEFER; /* host.islower() */
    for (Py_ssize_t i = 0; i < rn; i++) {
        Py_UCS4 c = rest[i];
        if (c == '#' || c == ' ' || c == '\n' || c == '\t' || c == '\r') return DEFER;
    }
    Py_ssize_t query_at = find_char(rest, rn, 0, '?');
    int google = slash == 15 && eq_ascii(rest, 15, "news.google.com");
    out->n = 0;
    if (query_at < 0 && !google) {
        if (buf_puts(out, "https://") < 0) return FAIL;
        Py_ssize_t from = starts_with_ascii(rest, rn, "www.") ? 4 : 0;
        return buf_put(out, rest + from, rn - from) < 0 ? FAIL : OK;
    }
    for (Py_ssize_t i = 0; i < rn; i++)
        if (rest[i] < 0x20 || rest[i] >= 0x7F) return DEFER; /* printable ASCII only */
    for (Py_ssize_t i = 0; i < slash; i++)
        if (rest[i] == '[') return DEFER;
    if (query_at >= 0 && query_at < slash) return DEFER;
    if (google) {
        Py_ssize_t end = query_at >= 0 ? query_at : rn;
        return google_form(out, rest + slash, end - slash, depth);
    }
    /* the query's pairs, tracking ones dropped, sorted */
    Py_ssize_t count = 1;
    for (Py_ssize_t i = query_at + 1; i < rn; i++) count += rest[i] == '&';
    span_t *pairs = PyMem_Malloc((size_t)count * sizeof(span_t));
    if (pairs == NULL) {
        PyErr_NoMemory();
        return FAIL;
    }
    Py_ssize_t kept = 0, start = query_at + 1;
    for (Py_ssize_t i = query_at + 1; i <= rn; i++) {
        if (i < rn && rest[i] != '&') continue;
        Py_ssize_t len = i - start;
        if (len > 0) {
            Py_ssize_t key_len = find_char(rest + start, len, 0, '=');
            if (key_len < 0) key_len = len;
            if (!is_tracking(rest + start, key_len)) {
                pairs[kept].s = rest + start;
                pairs[kept].n = len;
                kept++;
            }
        }
        start = i + 1;
    }
    qsort(pairs, (size_t)kept, sizeof(span_t), span_cmp);
    int rc = OK;
    Py_ssize_t host_from = starts_with_ascii(rest, rn, "www.") ? 4 : 0;
    if (buf_puts(out, "https://") < 0 || buf_put(out, rest + host_from, slash - host_from) < 0 ||
        buf_put(out, rest + slash, query_at - slash) < 0) {
        rc = FAIL;
    } else if (kept) {
        if (buf_putc(out, '?') < 0) rc = FAIL;
        for (Py_ssize_t k = 0; k < kept && rc == OK; k++) {
            if ((k && buf_putc(out, '&') < 0) || buf_put(out, pairs[k].s, pairs[k].n) < 0)
                rc = FAIL;
        }
    }
    PyMem_Free(pairs);
    return rc;
}

/* _host(link) for a link starting with http:// or https:// (lower case): OK with the host in
 * out (out->n == 0 means None); DEFER for a non-ASCII host. */
static int site_host(buf_t *out, const Py_UCS4 *link, Py_ssize_t n) {
    Py_ssize_t i = link[4] == 's' ? 8 : 7;
    out->n = 0;
    for (int www = 1; www >= 0; www--) {
        Py_ssize_t j = i;
        if (www) {
            if (j + 4 > n || (link[j] != 'w' && link[j] != 'W') ||
                (link[j + 1] != 'w' && link[j + 1] != 'W') ||
                (link[j + 2] != 'w' && link[j + 2] != 'W') || link[j + 3] != '.')
                continue;
            j += 4;
        }
        Py_ssize_t k = j;
        while (k < n) {
            Py_UCS4 c = link[k];
            if (c == '/' || c == '?' || c == '#' || c == ':' || c == '@' || IS_SPACE(c)) break;
            k++;
        }
        if (k == j) continue;
        if (buf_reserve(out, k - j) < 0) return FAIL;
        for (Py_ssize_t m = j; m < k; m++) {
            Py_UCS4 c = link[m];
            if (c >= 0x80) return DEFER;
            out->p[out->n++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        }
        return OK;
    }
    return OK;
}

/* ---- dates ------------------------------------------------------------------------------- */

static int days_in_month(long y, int m) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return 29;
    return dim[m - 1];
}

/* days since 0001-01-01 (proleptic Gregorian) */
static long long ordinal(long y, int m, int d) {
    long long yy = y - 1;
    long long days = yy * 365 + yy / 4 - yy / 100 + yy / 400;
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    days += before[m - 1] + (m > 2 && days_in_month(y, 2) == 29) + (d - 1);
    return days;
}

static const long long MAX_SECONDS = 3652059LL * 86400 - 1; /* 9999-12-31T23:59:59 */

static PyObject *datetime_from_seconds(long long secs) {
    long long days = secs / 86400, rem = secs % 86400;
    /* civil from ordinal days */
    long y = (long)(days / 365.2425) + 1;
    while (y > 1 && ordinal(y, 1, 1) > days) y--;
    while (y < 9999 && ordinal(y + 1, 1, 1) <= days) y++;
    int m = 1;
    while (m < 12 && ordinal(y, m + 1, 1) <= days) m++;
    int d = (int)(days - ordinal(y, m, 1)) + 1;
    return PyDateTimeAPI->DateTime_FromDateAndTime((int)y, m, d, (int)(rem / 3600),
                                                   (int)(rem / 60 % 60), (int)(rem % 60), 0,
                                                   PyDateTime_TimeZone_UTC,
                                                   PyDateTimeAPI->DateTimeType);
}

/* digits -> value, saturating (leading zeros allowed, as int() does) */
static long digits_value(const Py_UCS4 *s, Py_ssize_t n) {
    long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!is_ascii_digit(s[i])) return -1;
        v = v > 100000000L ? 100000000L : v * 10 + (long)(s[i] - '0');
    }
    return n ? v : -1;
}

static const struct {
    const char *name;
    int minutes;
} ZONES[] = {{"GMT", 0},    {"UT", 0},    {"UTC", 0},   {"Z", 0},     {"IST", 330},
             {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420},
             {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"BST", 60},   {"CET", 60},
             {"CEST", 120}, {"JST", 540},  {"SGT", 480},  {"HKT", 480}};

/* _parse_rfc822's split form for "Thu, 26 Sep 2024 15:25:45 +0530" (ASCII, stripped); DEFER
 * for any other shape or any unreadable value (the Python form then tries its fallbacks). */
static int rfc822(const Py_UCS4 *s, Py_ssize_t n, long long *out) {
    span_t parts[7];
    int count = 0;
    for (Py_ssize_t i = 0; i < n;) {
        while (i < n && IS_SPACE(s[i])) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        while (i < n && !IS_SPACE(s[i])) i++;
        if (count == 7) return DEFER;
        parts[count].s = s + start;
        parts[count].n = i - start;
        count++;
    }
    if (count != 6) return DEFER;
    span_t clock = parts[4];
    if (clock.n != 8 || clock.s[2] != ':' || clock.s[5] != ':') return DEFER;
    span_t day = parts[1], month_name = parts[2], year = parts[3], zone = parts[5];
    static const char *months = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (month_name.n < 3) return DEFER;
    int month = 0;
    for (int m = 0; m < 12; m++) {
        int k;
        for (k = 0; k < 3; k++) {
            Py_UCS4 c = month_name.s[k];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != (Py_UCS4)months[3 * m + k]) break;
        }
        if (k == 3) {
            month = m + 1;
            break;
        }
    }
    if (!month) return DEFER;
    long d = digits_value(day.s, day.n), y = digits_value(year.s, year.n);
    if (d < 1 || y < 0) return DEFER;
    if (y < 100) y += y < 70 ? 2000 : 1900;
    if (y < 1 || y > 9999 || d > days_in_month(y, month)) return DEFER;
    long minutes = 0;
    if (zone.s[0] == '+' || zone.s[0] == '-') {
        Py_UCS4 digits[4];
        int k = 0;
        for (Py_ssize_t i = 1; i < zone.n; i++) {
            if (zone.s[i] == ':') continue;
            if (k == 4 || !is_ascii_digit(zone.s[i])) return DEFER;
            digits[k++] = zone.s[i];
        }
        if (k != 4) return DEFER;
        minutes = digits_value(digits, 2) * 60 + digits_value(digits + 2, 2);
        if (zone.s[0] == '-') minutes = -minutes;
    } else if (zone.n <= 4) {
        Py_UCS4 upper[4];
        for (Py_ssize_t i = 0; i < zone.n; i++)
            upper[i] = (zone.s[i] >= 'a' && zone.s[i] <= 'z') ? zone.s[i] - 32 : zone.s[i];
        for (size_t z = 0; z < sizeof ZONES / sizeof ZONES[0]; z++)
            if (eq_ascii(upper, zone.n, ZONES[z].name)) {
                minutes = ZONES[z].minutes;
                break;
            }
    }
    long long start = ordinal(y, month, (int)d) * 86400 - (long long)minutes * 60;
    if (start < 0 || start > MAX_SECONDS) return DEFER;
    long hh = digits_value(clock.s, 2), mm = digits_value(clock.s + 3, 2),
         ss = digits_value(clock.s + 6, 2);
    if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 59) return DEFER;
    long long total = start + hh * 3600 + mm * 60 + ss;
    if (total > MAX_SECONDS) return DEFER;
    *out = total;
    return OK;
}

/* datetime.fromisoformat for YYYY-MM-DD[(T| )HH:MM:SS[Z|(+|-)HH:MM]], then in UTC; DEFER for
 * anything else. */
static int iso_date(const Py_UCS4 *s, Py_ssize_t n, long long *out) {
    if (n != 10 && n != 19 && n != 20 && n != 25) return DEFER;
    if (s[4] != '-' || s[7] != '-') return DEFER;
    long y = digits_value(s, 4), mo = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo)) return DEFER;
    long long secs = ordinal(y, (int)mo, (int)d) * 86400;
    if (n > 10) {
        if ((s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') return DEFER;
        long hh = digits_value(s + 11, 2), mm = digits_value(s + 14, 2),
             ss = digits_value(s + 17, 2);
        if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 59) return DEFER;
        secs += hh * 3600 + mm * 60 + ss;
        if (n == 20 && s[19] != 'Z') return DEFER;
        if (n == 25) {
            if ((s[19] != '+' && s[19] != '-') || s[22] != ':') return DEFER;
            long oh = digits_value(s + 20, 2), om = digits_value(s + 23, 2);
            if (oh < 0 || om < 0 || oh > 23 || om > 59) return DEFER;
            long long offset = (oh * 60 + om) * 60;
            secs -= s[19] == '+' ? offset : -offset;
        }
    }
    if (secs < 0 || secs > MAX_SECONDS) return DEFER;
    *out = secs;
    return OK;
}

/* _parse_date(value) where the answer is a datetime; DEFER otherwise. */
static int parse_date(PyObject **result, const Py_UCS4 *s, Py_ssize_t n) {
    Py_ssize_t start = 0, end = n;
    strip_range(s, &start, &end);
    s += start;
    n = end - start;
    for (Py_ssize_t i = 0; i < n; i++)
        if (s[i] >= 0x80) return DEFER;
    long long secs;
    int rc;
    if (n >= 10 && is_ascii_digit(s[0]) && is_ascii_digit(s[1]) && is_ascii_digit(s[2]) &&
        is_ascii_digit(s[3]) && s[4] == '-' && is_ascii_digit(s[5]) && is_ascii_digit(s[6]) &&
        s[7] == '-' && is_ascii_digit(s[8]) && is_ascii_digit(s[9])) {
        rc = iso_date(s, n, &secs);
    } else {
        rc = rfc822(s, n, &secs);
    }
    if (rc != OK) return rc;
    *result = datetime_from_seconds(secs);
    return *result ? OK : FAIL;
}

/* ---- one item ---------------------------------------------------------------------------- */

typedef struct {
    const Py_UCS4 *s;
    Py_ssize_t n;
    int present; /* 0: None */
} field_t;

typedef struct {
    buf_t title, publisher, link, guid, summary, identity_text, publisher_url, host;
    scratch_t tmp;
    const Py_UCS4 *base_url;
    Py_ssize_t base_len;
    int has_base, aggregator;
} ctx_t;

static void ctx_free(ctx_t *c) {
    buf_free(&c->title);
    buf_free(&c->publisher);
    buf_free(&c->link);
    buf_free(&c->guid);
    buf_free(&c->summary);
    buf_free(&c->identity_text);
    buf_free(&c->publisher_url);
    buf_free(&c->host);
    buf_free(&c->tmp.a);
    buf_free(&c->tmp.b);
}

/* _PUBLISHER_SEPARATORS: " - ", " \u2013 ", " \u2014 ", " | " */
static const Py_UCS4 SEPARATOR_CHARS[4] = {'-', 0x2013, 0x2014, '|'};

static int ends_with_suffix(const buf_t *title, int sep, const buf_t *publisher) {
    Py_ssize_t suffix = 3 + publisher->n;
    if (title->n <= suffix) return 0; /* endswith and len(title) > len(suffix) */
    const Py_UCS4 *t = title->p + title->n - suffix;
    if (t[0] != ' ' || t[1] != SEPARATOR_CHARS[sep] || t[2] != ' ') return 0;
    return memcmp(t + 3, publisher->p, (size_t)publisher->n * sizeof(Py_UCS4)) == 0;
}

static int buf_startswith(const buf_t *s, const buf_t *prefix) {
    if (prefix->n == 0) return 1;
    return s->n >= prefix->n &&
           memcmp(s->p, prefix->p, (size_t)prefix->n * sizeof(Py_UCS4)) == 0;
}

/* _py_article(feed, ...): OK with *result (article or None), DEFER, or FAIL. */
static int build_article(ctx_t *c, PyObject **result, field_t raw_title, field_t markup,
                         field_t link_in, field_t guid_in, field_t source_name,
                         field_t source_url, field_t date_text) {
    *result = NULL;
    if (clean_text(&c->title, &c->tmp, raw_title.s, raw_title.n) < 0) return FAIL;
    c->publisher.n = 0;
    if (source_name.present && source_name.n) {
        if (collapse_into(&c->publisher, source_name.s, source_name.n) < 0) return FAIL;
    }
    if (c->publisher.n) {
        for (int sep = 0; sep < 4; sep++) {
            if (ends_with_suffix(&c->title, sep, &c->publisher)) {
                Py_ssize_t end = c->title.n - 3 - c->publisher.n;
                while (end > 0 && IS_SPACE(c->title.p[end - 1])) end--;
                c->title.n = end;
                break;
            }
        }
    } else if (c->aggregator) {
        /* title.rpartition(" - ") */
        Py_ssize_t at = -1;
        for (Py_ssize_t i = c->title.n - 3; i >= 0; i--)
            if (c->title.p[i] == ' ' && c->title.p[i + 1] == '-' && c->title.p[i + 2] == ' ') {
                at = i;
                break;
            }
        if (at >= 0) {
            Py_ssize_t hs = 0, he = at, ts = at + 3, te = c->title.n;
            strip_range(c->title.p, &hs, &he);
            strip_range(c->title.p, &ts, &te);
            if (he > hs && te > ts && c->title.n - (at + 3) <= 80) {
                if (buf_put(&c->publisher, c->title.p + ts, te - ts) < 0) return FAIL;
                Py_ssize_t end = at;
                while (end > 0 && IS_SPACE(c->title.p[end - 1])) end--;
                c->title.n = end;
            }
        }
    }
    /* link */
    c->link.n = 0;
    int has_link = 0;
    if (link_in.present && link_in.n) {
        if (remove_ws_into(&c->link, link_in.s, link_in.n) < 0) return FAIL;
        if (c->has_base && !starts_with_ascii(c->link.p, c->link.n, "http://") &&
            !starts_with_ascii(c->link.p, c->link.n, "https://"))
            return DEFER; /* urljoin */
        has_link = c->link.n > 0;
    }
    int has_guid = guid_in.present && guid_in.n;
    Py_ssize_t gs = 0, ge = 0;
    if (has_guid) {
        ge = guid_in.n;
        strip_range(guid_in.s, &gs, &ge);
        has_guid = ge > gs;
    }
    const Py_UCS4 *guid = guid_in.s + gs;
    Py_ssize_t guid_len = ge - gs;
    if (!has_link && has_guid &&
        (starts_with_ascii(guid, guid_len, "http://") ||
         starts_with_ascii(guid, guid_len, "https://"))) {
        c->link.n = 0;
        if (buf_put(&c->link, guid, guid_len) < 0) return FAIL;
        has_link = 1;
    }
    if (c->title.n == 0 && !has_link) {
        Py_INCREF(Py_None);
        *result = Py_None;
        return OK;
    }
    PyObject *identity = NULL;
    int rc;
    if (has_link) {
        rc = url_form(&c->identity_text, c->link.p, c->link.n, 0);
        if (rc != OK) return rc;
        if (c->publisher.n == 0) {
            rc = site_host(&c->publisher, c->link.p, c->link.n);
            if (rc != OK) return rc;
        }
        identity = digest("url:", c->identity_text.p, c->identity_text.n);
    } else if (has_guid) {
        if (collapse_into(&c->identity_text, guid, guid_len) < 0) return FAIL;
        identity = digest("guid:", c->identity_text.p, c->identity_text.n);
    } else {
        buf_t *joined = &c->tmp.a;
        joined->n = 0;
        if (buf_put(joined, c->base_url, c->has_base ? c->base_len : 0) < 0 ||
            buf_putc(joined, '\n') < 0 || buf_put(joined, c->title.p, c->title.n) < 0)
            return FAIL;
        if (collapse_into(&c->identity_text, joined->p, joined->n) < 0) return FAIL;
        for (Py_ssize_t i = 0; i < c->identity_text.n; i++) {
            Py_UCS4 ch = c->identity_text.p[i];
            if (ch >= 0x80) return DEFER; /* str.lower() beyond ASCII */
            if (ch >= 'A' && ch <= 'Z') c->identity_text.p[i] = ch + 32;
        }
        identity = digest("text:", c->identity_text.p, c->identity_text.n);
    }
    if (identity == NULL) return PyErr_Occurred() ? FAIL : DEFER;
    /* date */
    PyObject *published = NULL;
    if (date_text.present && date_text.n) {
        rc = parse_date(&published, date_text.s, date_text.n);
        if (rc != OK) {
            Py_DECREF(identity);
            return rc;
        }
    } else {
        Py_INCREF(Py_None);
        published = Py_None;
    }
    /* summary */
    c->summary.n = 0;
    if (markup.present && markup.n) {
        if (clean_text(&c->summary, &c->tmp, markup.s, markup.n) < 0) goto fail;
        if (c->aggregator && buf_startswith(&c->summary, &c->title)) {
            Py_ssize_t from = c->title.n;
            while (from < c->summary.n && IS_SPACE(c->summary.p[from])) from++;
            if (c->publisher.n && c->summary.n - from >= c->publisher.n &&
                memcmp(c->summary.p + from, c->publisher.p,
                       (size_t)c->publisher.n * sizeof(Py_UCS4)) == 0) {
                from += c->publisher.n;
                while (from < c->summary.n && IS_SPACE(c->summary.p[from])) from++;
            }
            if (from) {
                memmove(c->summary.p, c->summary.p + from,
                        (size_t)(c->summary.n - from) * sizeof(Py_UCS4));
                c->summary.n -= from;
            }
        }
    }
    PyObject *values[8] = {NULL};
    values[0] = buf_str(c->title.p, c->title.n);
    values[1] = buf_str(c->summary.p, c->summary.n);
    if (has_link) {
        values[2] = buf_str(c->link.p, c->link.n);
    } else {
        Py_INCREF(Py_None);
        values[2] = Py_None;
    }
    if (has_guid) {
        values[3] = buf_str(guid, guid_len);
    } else {
        Py_INCREF(Py_None);
        values[3] = Py_None;
    }
    if (c->publisher.n) {
        values[4] = buf_str(c->publisher.p, c->publisher.n);
    } else {
        Py_INCREF(Py_None);
        values[4] = Py_None;
    }
    if (source_url.present && source_url.n) {
        if (remove_ws_into(&c->publisher_url, source_url.s, source_url.n) < 0) {
            for (int k = 0; k < 5; k++) Py_XDECREF(values[k]);
            goto fail;
        }
        values[5] = buf_str(c->publisher_url.p, c->publisher_url.n);
    } else {
        Py_INCREF(Py_None);
        values[5] = Py_None;
    }
    values[6] = published;
    values[7] = identity;
    published = identity = NULL;
    for (int k = 0; k < 8; k++)
        if (values[k] == NULL) {
            for (int j = 0; j < 8; j++) Py_XDECREF(values[j]);
            return FAIL;
        }
    PyObject *article = ((PyTypeObject *)article_type)->tp_alloc((PyTypeObject *)article_type, 8);
    if (article == NULL) {
        for (int j = 0; j < 8; j++) Py_DECREF(values[j]);
        return FAIL;
    }
    for (int k = 0; k < 8; k++) PyTuple_SET_ITEM(article, k, values[k]);
    *result = article;
    return OK;
fail:
    Py_XDECREF(published);
    Py_XDECREF(identity);
    return FAIL;
}

/* ---- Python entry points ----------------------------------------------------------------- */

static int check_configured(void) {
    if (article_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "chitti.news._fastparse.configure() was not called");
        return -1;
    }
    return 0;
}

static PyObject *py_configure(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *atype, *etype, *unescape;
    if (!PyArg_ParseTuple(args, "O!O!O:configure", &PyType_Type, &atype, &PyType_Type, &etype,
                          &unescape))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)atype, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "the article type must be a tuple subclass");
        return NULL;
    }
    if (((PyTypeObject *)etype)->tp_basicsize < (Py_ssize_t)sizeof(fp_element)) {
        PyErr_SetString(PyExc_TypeError, "the element type is not lxml's _Element");
        return NULL;
    }
    Py_INCREF(atype);
    Py_INCREF(etype);
    Py_INCREF(unescape);
    Py_XSETREF(article_type, atype);
    Py_XSETREF(element_type, etype);
    Py_XSETREF(unescape_fn, unescape);
    Py_RETURN_NONE;
}

/* A str-or-None argument as a field (its UCS4 copy kept in `store`). */
static int field_of(PyObject *o, field_t *f, buf_t *store, int allow_none) {
    if (o == Py_None && allow_none) {
        f->s = NULL;
        f->n = 0;
        f->present = 0;
        return 0;
    }
    if (!PyUnicode_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return -1;
    }
    if (buf_from_str(store, o) < 0) return -1;
    f->s = store->p;
    f->n = store->n;
    f->present = 1;
    return 0;
}

static int ctx_base(ctx_t *c, PyObject *base_url, buf_t *store) {
    field_t f;
    if (field_of(base_url, &f, store, 1) < 0) return -1;
    c->base_url = f.s;
    c->base_len = f.n;
    c->has_base = f.present && f.n > 0;
    return 0;
}

static PyObject *py_html_to_text(PyObject *self, PyObject *arg) {
    (void)self;
    buf_t in = {0}, out = {0};
    scratch_t tmp = {{0}, {0}};
    PyObject *result = NULL;
    if (check_configured() < 0) return NULL;
    field_t f;
    if (field_of(arg, &f, &in, 0) == 0 && html_to_text(&out, &tmp, f.s, f.n) == 0)
        result = buf_str(out.p, out.n);
    buf_free(&in);
    buf_free(&out);
    buf_free(&tmp.a);
    buf_free(&tmp.b);
    return result;
}

/* article(base_url, aggregator, raw_title, summary_markup, link, guid, source_name, source_url,
 *         date_text) -> ParsedArticle | None | NotImplemented */
static PyObject *py_article(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "article() takes 9 arguments");
        return NULL;
    }
    if (check_configured() < 0) return NULL;
    ctx_t c;
    memset(&c, 0, sizeof c);
    buf_t stores[8];
    memset(stores, 0, sizeof stores);
    field_t f[7];
    PyObject *result = NULL;
    int aggregator = PyObject_IsTrue(args[1]);
    if (aggregator < 0) goto done;
    c.aggregator = aggregator;
    if (ctx_base(&c, args[0], &stores[7]) < 0) goto done;
    for (int k = 0; k < 7; k++)
        if (field_of(args[2 + k], &f[k], &stores[k], k >= 2) < 0) goto done;
    int rc = build_article(&c, &result, f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    if (rc == DEFER) {
        Py_INCREF(Py_NotImplemented);
        result = Py_NotImplemented;
    }
done:
    for (int k = 0; k < 8; k++) buf_free(&stores[k]);
    ctx_free(&c);
    return result;
}

/* ---- the RSS walk ------------------------------------------------------------------------ */

/* A namespace with an empty URI: lxml would name the element "{}name", which no tag of the
 * Python form equals; such trees go to the Python form. */
static int odd_namespace(const fp_node *node) {
    return node->type == N_ELEMENT && node->ns != NULL &&
           (node->ns->href == NULL || node->ns->href[0] == 0);
}

static int name_is(const fp_node *node, const char *name, const char *href) {
    if (node->type != N_ELEMENT || node->name == NULL ||
        strcmp((const char *)node->name, name) != 0)
        return 0;
    const xchar *node_href = node->ns ? node->ns->href : NULL;
    if (href == NULL) return node_href == NULL || node_href[0] == 0;
    return node_href != NULL && strcmp((const char *)node_href, href) == 0;
}

#define RSS1_NS "http://purl.org/rss/1.0/"
#define DC_NS "http://purl.org/dc/elements/1.1/"
#define CONTENT_NS "http://purl.org/rss/1.0/modules/content/"

enum { S_TITLE, S_LINK, S_GUID, S_DESCRIPTION, S_PUB_DATE, S_SOURCE, S_DC_DATE, S_CONTENT };

static int slot_of(const fp_node *node) {
    static const struct {
        const char *name, *href;
        int slot;
    } SLOTS[] = {
        {"title", NULL, S_TITLE},          {"link", NULL, S_LINK},
        {"guid", NULL, S_GUID},            {"description", NULL, S_DESCRIPTION},
        {"pubDate", NULL, S_PUB_DATE},     {"source", NULL, S_SOURCE},
        {"date", DC_NS, S_DC_DATE},        {"encoded", CONTENT_NS, S_CONTENT},
        {"title", RSS1_NS, S_TITLE},       {"link", RSS1_NS, S_LINK},
        {"description", RSS1_NS, S_DESCRIPTION},
    };
    for (size_t k = 0; k < sizeof SLOTS / sizeof SLOTS[0]; k++)
        if (name_is(node, SLOTS[k].name, SLOTS[k].href)) return SLOTS[k].slot;
    return -1;
}

/* _text(element): the concatenated text of a field whose children are all text/CDATA;
 * 1 when it has any other child (the caller gives the feed back), -1 invalid UTF-8, -2 error. */
static int node_text(buf_t *out, const fp_node *node) {
    out->n = 0;
    for (const fp_node *child = node->children; child; child = child->next) {
        if (child->type != N_TEXT && child->type != N_CDATA) return 1;
        if (child->content == NULL) continue;
        int rc = utf8_append(out, child->content);
        if (rc < 0) return rc;
    }
    return 0;
}

/* element.get(name) (no namespace): 0 with *found set, 1 for attribute content other than text */
static int node_attribute(buf_t *out, const fp_node *node, const char *name, int *found) {
    *found = 0;
    out->n = 0;
    for (const fp_attr *attr = node->properties; attr; attr = attr->next) {
        if (attr->ns != NULL || attr->name == NULL || strcmp((const char *)attr->name, name))
            continue;
        *found = 1;
        for (const fp_node *child = attr->children; child; child = child->next) {
            if (child->type != N_TEXT) return 1;
            if (child->content == NULL) continue;
            int rc = utf8_append(out, child->content);
            if (rc < 0) return rc;
        }
        return 0;
    }
    return 0;
}

static PyObject *field_object(const field_t *f) {
    if (!f->present) Py_RETURN_NONE;
    return buf_str(f->s, f->n);
}

/* rss_articles(container, item_name, item_href, base_url, aggregator, fallback)
 *   -> list[ParsedArticle] | None */
static PyObject *py_rss_articles(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "rss_articles() takes 6 arguments");
        return NULL;
    }
    if (check_configured() < 0) return NULL;
    if (!PyObject_TypeCheck(args[0], (PyTypeObject *)element_type)) {
        PyErr_SetString(PyExc_TypeError, "container must be an lxml element");
        return NULL;
    }
    const char *item_name = PyUnicode_AsUTF8(args[1]);
    if (item_name == NULL) return NULL;
    const char *item_href = NULL;
    if (args[2] != Py_None && (item_href = PyUnicode_AsUTF8(args[2])) == NULL) return NULL;
    PyObject *fallback = args[5];
    const fp_node *container = ((fp_element *)args[0])->c_node;
    if (container == NULL || container->doc == NULL) Py_RETURN_NONE;
    /* A DTD may give attributes defaults that lxml's get() reports: the Python form decides. */
    for (const fp_node *top = container->doc->children; top; top = top->next)
        if (top->type == N_DTD) Py_RETURN_NONE;

    ctx_t c;
    memset(&c, 0, sizeof c);
    buf_t base_store = {0}, texts[10];
    memset(texts, 0, sizeof texts);
    PyObject *list = NULL, *result = NULL;
    int aggregator = PyObject_IsTrue(args[4]);
    if (aggregator < 0) goto done;
    c.aggregator = aggregator;
    if (ctx_base(&c, args[3], &base_store) < 0) goto done;
    list = PyList_New(0);
    if (list == NULL) goto done;
    for (const fp_node *item = container->children; item; item = item->next) {
        if (odd_namespace(item)) goto python_form;
        if (!name_is(item, item_name, item_href)) continue;
        const fp_node *slots[8] = {NULL};
        for (const fp_node *child = item->children; child; child = child->next) {
            if (odd_namespace(child)) goto python_form;
            int slot = slot_of(child);
            if (slot >= 0 && slots[slot] == NULL) slots[slot] = child;
        }
        /* the texts _rss_articles reads: 0 title, 1 description/content, 2 link, 3 guid,
         * 4 source, 5 source url, 6 date, 7 isPermaLink */
        const fp_node *sources[5] = {
            slots[S_TITLE], slots[S_DESCRIPTION] ? slots[S_DESCRIPTION] : slots[S_CONTENT],
            slots[S_LINK], slots[S_GUID], slots[S_SOURCE]};
        int rc = 0;
        for (int k = 0; k < 5 && rc == 0; k++) {
            texts[k].n = 0;
            if (sources[k]) rc = node_text(&texts[k], sources[k]);
        }
        const fp_node *date_node = slots[S_PUB_DATE] ? slots[S_PUB_DATE] : slots[S_DC_DATE];
        texts[6].n = 0;
        if (rc == 0 && date_node) rc = node_text(&texts[6], date_node);
        int has_url = 0, has_permalink = 0;
        if (rc == 0 && slots[S_SOURCE]) rc = node_attribute(&texts[5], slots[S_SOURCE], "url", &has_url);
        if (rc == 0 && slots[S_GUID])
            rc = node_attribute(&texts[7], slots[S_GUID], "isPermaLink", &has_permalink);
        if (rc == -2) goto done;
        if (rc != 0) goto python_form; /* unusual content or bytes */
        field_t title = {texts[0].p, texts[0].n, 1};
        field_t markup = {texts[1].p, texts[1].n, 1};
        field_t guid = {texts[3].p, texts[3].n, texts[3].n > 0};
        /* permalink = guid unless isPermaLink="false"; link = _text(link) or permalink */
        int not_permalink = has_permalink && eq_ascii(texts[7].p, texts[7].n, "false");
        field_t link = {texts[2].p, texts[2].n, 1};
        if (texts[2].n == 0) {
            if (guid.present && !not_permalink) {
                link = guid;
            } else {
                link.present = 0;
                link.n = 0;
            }
        }
        field_t source_name = {texts[4].p, texts[4].n, texts[4].n > 0};
        field_t source_url = {texts[5].p, texts[5].n, has_url};
        field_t date = {texts[6].p, texts[6].n, texts[6].n > 0};
        PyObject *article = NULL;
        rc = build_article(&c, &article, title, markup, link, guid, source_name, source_url, date);
        if (rc == FAIL) goto done;
        if (rc == DEFER) {
            PyObject *call_args[7];
            const field_t *fields[7] = {&title, &markup, &link, &guid,
                                        &source_name, &source_url, &date};
            int k;
            for (k = 0; k < 7; k++)
                if ((call_args[k] = field_object(fields[k])) == NULL) break;
            if (k == 7) article = PyObject_Vectorcall(fallback, call_args, 7, NULL);
            for (int j = 0; j < k; j++) Py_DECREF(call_args[j]);
            if (article == NULL) goto done;
        }
        if (article != Py_None && PyList_Append(list, article) < 0) {
            Py_DECREF(article);
            goto done;
        }
        Py_DECREF(article);
    }
    result = list;
    list = NULL;
    goto done;
python_form: /* the whole feed goes to the Python form */
    Py_INCREF(Py_None);
    result = Py_None;
done:
    Py_XDECREF(list);
    buf_free(&base_store);
    for (int k = 0; k < 10; k++) buf_free(&texts[k]);
    ctx_free(&c);
    return result;
}

/* declares(data) -> bool: b"<!DOCTYPE" in data or b"<!ENTITY" in data, in one pass. */
static PyObject *py_declares(PyObject *self, PyObject *arg) {
    (void)self;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    const char *p = view.buf, *end = p + view.len;
    int found = 0;
    while (!found && p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (lt == NULL) break;
        size_t left = (size_t)(end - lt);
        if (left >= 2 && lt[1] == '!')
            found = (left >= 9 && memcmp(lt, "<!DOCTYPE", 9) == 0) ||
                    (left >= 8 && memcmp(lt, "<!ENTITY", 8) == 0);
        p = lt + 1;
    }
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

static PyMethodDef methods[] = {
    {"declares", py_declares, METH_O,
     "declares(data) -> bool: whether the bytes contain <!DOCTYPE or <!ENTITY."},
    {"configure", py_configure, METH_VARARGS,
     "configure(article_type, element_type, unescape): the types and helper this module uses."},
    {"article", (PyCFunction)(void (*)(void))py_article, METH_FASTCALL,
     "article(base_url, aggregator, raw_title, summary_markup, link, guid, source_name, "
     "source_url, date_text) -> ParsedArticle | None | NotImplemented"},
    {"rss_articles", (PyCFunction)(void (*)(void))py_rss_articles, METH_FASTCALL,
     "rss_articles(container, item_name, item_href, base_url, aggregator, fallback) -> "
     "list[ParsedArticle] | None"},
    {"html_to_text", py_html_to_text, METH_O, "html_to_text(markup) -> str"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastparse",
                                    "Compiled per-item work of chitti.news.parse.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__fastparse(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    return PyModule_Create(&module);
}
