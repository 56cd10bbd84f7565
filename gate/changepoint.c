/*
 * changepoint.c: where a benchmark's level shifted, by binary segmentation
 * with a rank statistic and a permutation test.
 *
 * For a segment y[0..L) with ranks r (ties share their average rank) and
 * prefix sums S_k, the split at k compares the mean rank on each side,
 * scaled by how much evidence each side carries:
 *     D(k) = |S_k / k - (S_L - S_k) / (L - k)| * sqrt(k (L - k) / L),
 * for min_size <= k <= L - min_size. Ranks make one wild run (a noisy CI
 * machine) count as one point, not as a level, and make the statistic the
 * same for nanoseconds and bytes.
 *
 * Is the best split real? Shuffle the ranks `permutations` times, take the
 * best D of each shuffle, and let p = (1 + #{shuffles at least as good}) /
 * (1 + permutations). A series with no shift is exchangeable, so p is an
 * honest p-value whatever the distribution. The split is kept when
 * p < alpha and the medians on its two sides differ by at least
 * min_change; then both halves are searched the same way.
 *
 * Each segment draws from its own splitmix64 stream seeded by the seed and
 * its bounds, so the answer does not depend on the order segments are
 * searched in. The splits found are then refined between their neighbours
 * (refine() says why). NaN values are skipped; `at` indexes the caller's
 * array.
 */
#include "core/bg.h"
#include "gate/changepoint.h"
#include "core/err.h"
#include "core/stats.h"

#include <float.h>
#include <math.h>

/*
 * Bounded work: a page never waits long for its change points. A short
 * series needs many shuffles: 12 runs split 7 | 5 have an exact p of about
 * 0.007, which 199 shuffles cannot tell from 0.01. A long one needs few, as
 * a real shift there has p near 0. So a segment of n values gets
 * min(permutations, SEGMENT_SHUFFLE / n) shuffles, but never fewer than
 * MIN_PERMUTATIONS (unless asked for fewer).
 */
#define SHUFFLE_BUDGET 20000000u /* rank values shuffled over one call */
#define SEGMENT_SHUFFLE 2000000u /* rank values shuffled for one segment */
#define MIN_PERMUTATIONS 199u

struct ranked {
    double v;
    size_t i;
};

struct search {
    const struct changepoint_opts *o;
    const double *y;     /* the finite values, in order */
    double *rank, *perm, *work;
    struct ranked *sorted;
    size_t budget;       /* shuffled values left */
};

static int ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    return (x->v > y->v) - (x->v < y->v);
}

/* Average ranks of y[0..n) into rank[0..n). */
static void rank_segment(struct search *s, const double *y, size_t n, double *rank)
{
    for (size_t j = 0; j < n; j++)
        s->sorted[j] = (struct ranked){ y[j], j };
    qsort(s->sorted, n, sizeof(*s->sorted), ranked_cmp);
    for (size_t j = 0; j < n;) {
        size_t k = j;

        while (k + 1 < n && s->sorted[k + 1].v == s->sorted[j].v)
            k++;
        for (size_t t = j; t <= k; t++) /* ranks j + 1 .. k + 1 share their mean */
            rank[s->sorted[t].i] = (double)(j + k + 2) / 2.0;
        j = k + 1;
    }
}

/* The largest D(k) over the allowed splits, and where it is. */
static double best_split(const double *r, size_t n, size_t min_size, size_t *at)
{
    double total = 0.0, left = 0.0, best = -1.0;

    for (size_t j = 0; j < n; j++)
        total += r[j];
    for (size_t k = 1; k + min_size <= n; k++) {
        left += r[k - 1];
        if (k < min_size)
            continue;
        double nl = (double)k, nr = (double)(n - k);
        double d = fabs(left / nl - (total - left) / nr) * sqrt(nl * nr / (double)n);

        if (d > best) {
            best = d;
            *at = k;
        }
    }
    return best;
}

/*
 * The permutation p-value of the observed best split `observed` of the
 * ranks r[0..n), stopping early once the answer is "not significant".
 * Returns 1.0 when the work budget is spent.
 */
static double permutation_p(struct search *s, const double *r, size_t n, double observed,
                            uint64_t seed)
{
    unsigned perms = s->o->permutations, at_least = 0;
    size_t fit = SEGMENT_SHUFFLE / n;
    double limit, tol = 1e-9 * (observed > 1.0 ? observed : 1.0);
    size_t unused;

    if (perms > fit) /* a long segment: fewer, but not too few */
        perms = fit > MIN_PERMUTATIONS ? (unsigned)fit
                : perms > MIN_PERMUTATIONS ? MIN_PERMUTATIONS : perms;
    /* p < alpha  <=>  1 + at_least < alpha (1 + perms) */
    limit = s->o->alpha * (1.0 + (double)perms) - 1.0;

    if (perms == 0 || (size_t)perms * n > s->budget)
        return 1.0;
    memcpy(s->perm, r, n * sizeof(*r));
    for (unsigned p = 0; p < perms; p++) {
        for (size_t j = n - 1; j > 0; j--) { /* Fisher-Yates */
            size_t k = stats_pick(&seed, j + 1);
            double t = s->perm[j];

            s->perm[j] = s->perm[k];
            s->perm[k] = t;
        }
        s->budget -= n;
        if (best_split(s->perm, n, s->o->min_size, &unused) >= observed - tol &&
            (double)++at_least > limit)
            return (1.0 + (double)at_least) / (1.0 + (double)perms);
    }
    return (1.0 + (double)at_least) / (1.0 + (double)perms);
}

static double median_of(struct search *s, size_t lo, size_t hi)
{
    memcpy(s->work, s->y + lo, (hi - lo) * sizeof(*s->work));
    return stats_quantile(s->work, hi - lo, 0.5);
}

static bool big_enough(double before, double after, double min_change)
{
    if (before == 0.0)
        return after != 0.0;
    return fabs(after / before - 1.0) >= min_change;
}

static int by_at(const void *a, const void *b)
{
    const struct changepoint *x = a, *y = b;

    return (x->at > y->at) - (x->at < y->at);
}

static int by_change(const void *a, const void *b)
{
    const struct changepoint *x = a, *y = b;
    double cx = fabs(x->after - x->before) / fmax(fabs(x->before), DBL_MIN);
    double cy = fabs(y->after - y->before) / fmax(fabs(y->before), DBL_MIN);

    return (cx < cy) - (cx > cy);
}

/* Searches y[lo..hi) and its halves; appends split indices to cp[*found..cap). */
static void search_segment(struct search *s, size_t lo, size_t hi, struct changepoint *cp,
                           size_t cap, size_t *found)
{
    size_t n = hi - lo, k = 0;
    double observed;
    uint64_t seed;

    if (*found >= cap || n < 2 * s->o->min_size)
        return;
    rank_segment(s, s->y + lo, n, s->rank);
    observed = best_split(s->rank, n, s->o->min_size, &k);
    if (observed <= 0.0)
        return;
    seed = s->o->seed ^ ((uint64_t)lo * 0xd1342543de82ef95u) ^ ((uint64_t)hi << 32);
    if (!(permutation_p(s, s->rank, n, observed, seed) < s->o->alpha))
        return;
    if (!big_enough(median_of(s, lo, lo + k), median_of(s, lo + k, hi), s->o->min_change))
        return;
    cp[(*found)++].at = lo + k;
    search_segment(s, lo, lo + k, cp, cap, found);
    search_segment(s, lo + k, hi, cp, cap, found);
}

/*
 * A split found in a long segment can sit a point off where the shift is
 * once its neighbours are known (on a staircase the ranks of the middle
 * step blur both edges). Moves each split to the best one between its
 * neighbours, then measures both sides between those neighbours and drops
 * splits whose change fell below min_change. Returns how many remain.
 */
static size_t refine(struct search *s, struct changepoint *cp, size_t found, size_t m)
{
    size_t kept = 0;

    qsort(cp, found, sizeof(*cp), by_at);
    for (size_t i = 0; i < found; i++) {
        size_t lo = i > 0 ? cp[i - 1].at : 0, hi = i + 1 < found ? cp[i + 1].at : m, k = 0;

        rank_segment(s, s->y + lo, hi - lo, s->rank);
        if (best_split(s->rank, hi - lo, s->o->min_size, &k) > 0.0)
            cp[i].at = lo + k;
    }
    for (size_t i = 0; i < found; i++) {
        size_t lo = kept > 0 ? cp[kept - 1].at : 0, hi = i + 1 < found ? cp[i + 1].at : m;
        double before = median_of(s, lo, cp[i].at), after = median_of(s, cp[i].at, hi);

        if (big_enough(before, after, s->o->min_change))
            cp[kept++] = (struct changepoint){ cp[i].at, before, after };
    }
    return kept;
}

int changepoint_find(const double *x, size_t n, const struct changepoint_opts *o,
                     struct changepoint *out, size_t max)
{
    static const struct changepoint_opts defaults = CHANGEPOINT_OPTS_DEFAULT;
    struct search s = { .o = o != NULL ? o : &defaults, .budget = SHUFFLE_BUDGET };
    struct changepoint_opts fixed;
    struct changepoint *cp;
    size_t m = 0, found = 0, cap;
    double *y;
    size_t *pos;

    if (n == 0 || max == 0)
        return 0;
    if (s.o->min_size == 0) { /* a side needs at least one point */
        fixed = *s.o;
        fixed.min_size = 1;
        s.o = &fixed;
    }
    y = bg_xcalloc(n, sizeof(*y));
    pos = bg_xcalloc(n, sizeof(*pos));
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            y[m] = x[i];
            pos[m++] = i;
        }
    }
    /* every split leaves min_size points on each side, so m / min_size bounds them */
    cap = m / s.o->min_size + 1;
    cp = bg_xcalloc(cap, sizeof(*cp));
    s.y = y;
    s.rank = bg_xcalloc(m + 1, sizeof(*s.rank));
    s.perm = bg_xcalloc(m + 1, sizeof(*s.perm));
    s.work = bg_xcalloc(m + 1, sizeof(*s.work));
    s.sorted = bg_xcalloc(m + 1, sizeof(*s.sorted));
    search_segment(&s, 0, m, cp, cap, &found);
    found = refine(&s, cp, found, m);
    if (found > max) { /* keep the largest changes */
        qsort(cp, found, sizeof(*cp), by_change);
        found = max;
    }
    qsort(cp, found, sizeof(*cp), by_at);
    for (size_t i = 0; i < found; i++) {
        out[i] = cp[i];
        out[i].at = pos[cp[i].at];
    }
    free(s.rank);
    free(s.perm);
    free(s.work);
    free(s.sorted);
    free(cp);
    free(y);
    free(pos);
    return (int)found;
}
