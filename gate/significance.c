/*
 * significance.c: Mann-Whitney U, Holm, and the bootstrap interval.
 *
 * Exact U distribution: for sample sizes m and n with no ties, the number
 * of arrangements with U = u is the coefficient of q^u in the Gaussian
 * binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Each
 * partial product is itself a Gaussian binomial, so multiplying by the
 * numerator factor and then dividing by the denominator one keeps a
 * polynomial at every step: O(m * m n) once per (m, n), cached.
 */
#include "core/bg.h"
#include "gate/significance.h"
#include "core/stats.h"
#include "core/hash.h"

#include <math.h>

void sig_cache_release(struct sig_cache *c)
{
    for (size_t i = 0; i < c->n_dists; i++)
        free(c->dists[i].cdf);
    free(c->dists);
    memset(c, 0, sizeof(*c));
}

/* The exact null CDF of U for sizes (m, n), from the cache or computed. */
static const double *exact_cdf(struct sig_cache *cache, size_t m, size_t n)
{
    size_t deg = 0, top = m * n;
    double *c, total = 0.0;
    struct sig_dist *d;

    for (size_t i = 0; i < cache->n_dists; i++) {
        if (cache->dists[i].m == m && cache->dists[i].n == n)
            return cache->dists[i].cdf;
    }
    c = bg_xcalloc(top + n + m + 2, sizeof(*c));
    c[0] = 1.0;
    for (size_t i = 1; i <= m; i++) {
        size_t f = n + i;

        /* times (1 - q^f), highest degree first so c[k - f] is still the old one */
        for (size_t k = deg + f; k >= f; k--)
            c[k] -= c[k - f];
        /* divided by (1 - q^i): c[k] += c[k - i], lowest degree first */
        for (size_t k = i; k <= deg + f; k++)
            c[k] += c[k - i];
        deg += n;
    }
    for (size_t u = 0; u <= top; u++)
        total += c[u];
    for (size_t u = 0; u <= top; u++) /* in place: c[u - 1] is already a CDF value */
        c[u] = (u > 0 ? c[u - 1] : 0.0) + c[u] / total;
    BG_GROW(cache->dists, cache->cap_dists, cache->n_dists + 1);
    d = &cache->dists[cache->n_dists++];
    d->m = m;
    d->n = n;
    d->cdf = c;
    return c;
}

/* v itself when already ascending, else a sorted copy in *copy (caller frees). */
static const double *sorted(const double *v, size_t n, double **copy)
{
    *copy = NULL;
    for (size_t i = 1; i < n; i++) {
        if (v[i] < v[i - 1]) {
            *copy = bg_xmalloc(n * sizeof(**copy));
            memcpy(*copy, v, n * sizeof(**copy));
            stats_sort(*copy, n);
            return *copy;
        }
    }
    return v;
}

double sig_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                        struct sig_cache *cache, double *u_out)
{
    size_t n = na + nb, i = 0, j = 0, pos = 0;
    double *ca, *cb, rank_a = 0.0, ties = 0.0, u, mu, var, z, p;
    const double *sa = sorted(a, na, &ca), *sb = sorted(b, nb, &cb);
    bool tied = false;

    /* merge the two sorted sides; equal values share their mean rank */
    while (i < na || j < nb) {
        double v = j >= nb || (i < na && sa[i] <= sb[j]) ? sa[i] : sb[j];
        size_t ka = 0, kb = 0, k;

        while (i < na && sa[i] == v) {
            i++;
            ka++;
        }
        while (j < nb && sb[j] == v) {
            j++;
            kb++;
        }
        k = ka + kb;
        rank_a += (double)ka * ((double)pos + (double)(k + 1) / 2.0); /* ranks pos+1..pos+k */
        if (k > 1) {
            tied = true;
            ties += (double)k * (double)k * (double)k - (double)k;
        }
        pos += k;
    }
    free(ca);
    free(cb);
    u = rank_a - (double)na * (double)(na + 1) / 2.0;
    if (u_out != NULL)
        *u_out = u;

    if (!tied && na * nb <= SIG_EXACT_MAX_MN) {
        const double *cdf = exact_cdf(cache, na, nb);
        double lower = fmin(u, (double)(na * nb) - u);

        p = 2.0 * cdf[(size_t)lower];
        return p > 1.0 ? 1.0 : p;
    }
    mu = (double)na * (double)nb / 2.0;
    var = (double)na * (double)nb / 12.0 *
          ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
    if (var <= 0.0)
        return 1.0; /* every value equal: no evidence of a shift */
    z = fabs(u - mu) - 0.5; /* continuity correction */
    if (z < 0.0)
        z = 0.0;
    z /= sqrt(var);
    return erfc(z / sqrt(2.0));
}

struct indexed {
    double p;
    size_t i;
};

static int cmp_indexed(const void *x, const void *y)
{
    const struct indexed *a = x, *b = y;

    if (a->p != b->p)
        return (a->p > b->p) - (a->p < b->p);
    return (a->i > b->i) - (a->i < b->i); /* ties keep their order: stable */
}

size_t sig_holm(const double *p, size_t n, double *adjusted)
{
    struct indexed *s = bg_xmalloc((n + 1) * sizeof(*s));
    size_t m = 0;
    double running = 0.0;

    for (size_t i = 0; i < n; i++) {
        adjusted[i] = NAN;
        if (!isnan(p[i]))
            s[m++] = (struct indexed){ p[i], i };
    }
    qsort(s, m, sizeof(*s), cmp_indexed);
    for (size_t j = 0; j < m; j++) {
        double v = (double)(m - j) * s[j].p;

        if (v > 1.0)
            v = 1.0;
        if (v < running)
            v = running; /* step-down: adjusted values never decrease */
        running = v;
        adjusted[s[j].i] = v;
    }
    free(s);
    return m;
}

/*
 * The type-7 p95 of one resample of sorted[0..n): draws n indices into
 * counts, then walks down from the largest value to the two order
 * statistics the p95 interpolates between.
 */
static double resample_p95(const double *sorted, size_t n, unsigned *counts, uint64_t *s)
{
    double h = (double)(n - 1) * 0.95, frac, v_lo = 0.0, v_hi = 0.0;
    size_t lo = (size_t)floor(h), above = 0;
    bool have_hi = false;

    frac = h - (double)lo;
    memset(counts, 0, n * sizeof(*counts));
    for (size_t k = 0; k < n; k++)
        counts[stats_pick(s, n)]++;
    for (size_t idx = n; idx-- > 0;) {
        size_t c = counts[idx], first;

        if (c == 0)
            continue;
        first = n - above - c; /* this value fills resample positions first .. n-above-1 */
        if (!have_hi && lo + 1 < n && lo + 1 >= first) {
            v_hi = sorted[idx];
            have_hi = true;
        }
        if (lo >= first) {
            v_lo = sorted[idx];
            break;
        }
        above += c;
    }
    return lo + 1 < n ? v_lo + frac * (v_hi - v_lo) : v_lo;
}

int sig_bootstrap_change(const double *base, size_t nb, const double *cur, size_t nc,
                         enum bg_direction dir, unsigned resamples, uint64_t seed, double level,
                         double *lo, double *hi)
{
    double *copy_b, *copy_c, *changes;
    const double *sb, *sc;
    unsigned *counts;
    uint64_t state = seed;
    double tail = (1.0 - level) / 2.0;

    if (nb == 0 || nc == 0 || resamples == 0)
        return -1;
    sb = sorted(base, nb, &copy_b);
    sc = sorted(cur, nc, &copy_c);
    changes = bg_xmalloc(resamples * sizeof(*changes));
    counts = bg_xmalloc((nb > nc ? nb : nc) * sizeof(*counts));
    for (unsigned r = 0; r < resamples; r++) {
        double b = resample_p95(sb, nb, counts, &state);
        double c = resample_p95(sc, nc, counts, &state);

        changes[r] = bg_change(b, c, dir);
    }
    *lo = stats_quantile(changes, resamples, tail);
    *hi = stats_quantile(changes, resamples, 1.0 - tail);
    free(counts);
    free(changes);
    free(copy_c);
    free(copy_b);
    return 0;
}

uint64_t sig_seed(uint64_t base, const char *name, const char *metric)
{
    /* a separator between them: ("ab","c") differs from ("a","bc") */
    uint64_t h = bg_hash_str(bg_hash_byte(bg_hash_str(BG_HASH_INIT, name), 0xff), metric);

    return base ^ stats_splitmix64(&h);
}
