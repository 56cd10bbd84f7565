/*
 * stats.c: quantiles by selection, and the summary stored with each result.
 *
 * Selection instead of sorting: the gate computes a p95 per benchmark per
 * side, and quickselect is a few ns per sample where qsort is 20-90 (measured
 * on these machines, see DESIGN.md). Pivots are median-of-three, which keeps
 * already sorted input (common: harnesses often emit sorted samples) linear.
 */
#include "core/bg.h"
#include "core/stats.h"

#include <math.h>

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);

    if (lo >= n - 1)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static void swap(double *a, double *b)
{
    double t = *a;

    *a = *b;
    *b = t;
}

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;

        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void sift_down(double *v, size_t root, size_t n)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && v[child] < v[child + 1])
            child++;
        if (!(v[root] < v[child]))
            return;
        swap(&v[root], &v[child]);
    }
}

static void heap_sort(double *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (size_t end = n; end-- > 1;) {
        swap(&v[0], &v[end]);
        sift_down(v, 0, end);
    }
}

/* Quicksort with the comparison inlined (qsort's call per comparison is
 * most of its cost for doubles), recursing into the smaller side, and a
 * heap sort once the depth says the pivots are being chosen badly: input
 * is samples from outside, and no input may make it quadratic. */
static void intro_sort(double *v, size_t n, unsigned depth)
{
    while (n > 24) {
        size_t mid = n / 2, i = 0, j = n - 1;
        double pivot;

        if (depth-- == 0) {
            heap_sort(v, n);
            return;
        }
        if (v[mid] < v[0])
            swap(&v[mid], &v[0]);
        if (v[n - 1] < v[0])
            swap(&v[n - 1], &v[0]);
        if (v[n - 1] < v[mid])
            swap(&v[n - 1], &v[mid]);
        pivot = v[mid];
        for (;;) { /* Hoare: equal keys split evenly */
            while (v[i] < pivot)
                i++;
            while (pivot < v[j])
                j--;
            if (i >= j)
                break;
            swap(&v[i], &v[j]);
            i++;
            j--;
        }
        /* v[0..j] <= pivot <= v[j+1..n-1] */
        if (j + 1 < n - j - 1) {
            intro_sort(v, j + 1, depth);
            v += j + 1;
            n -= j + 1;
        } else {
            intro_sort(v + j + 1, n - j - 1, depth);
            n = j + 1;
        }
    }
    insertion_sort(v, n);
}

void stats_sort(double *v, size_t n)
{
    unsigned depth = 0;

    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(v, n, depth);
}

/* Rearranges a[0..n-1] so that a[k] holds the k-th smallest value, with
 * nothing larger before it and nothing smaller after it. */
static void select_kth(double *a, size_t n, size_t k)
{
    size_t left = 0, right = n - 1;

    while (right > left) {
        size_t mid = left + (right - left) / 2, i, j;
        double pivot;

        /* median of three into a[mid], with a[left] <= a[mid] <= a[right] */
        if (a[mid] < a[left])
            swap(&a[mid], &a[left]);
        if (a[right] < a[left])
            swap(&a[right], &a[left]);
        if (a[right] < a[mid])
            swap(&a[right], &a[mid]);
        pivot = a[mid];

        /* Hoare partition; equal keys split evenly, so all-equal input is linear */
        i = left;
        j = right;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (pivot < a[j])
                j--;
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
            i++;
            j--;
        }
        /* now a[left..j] <= pivot <= a[j+1..right] */
        if (k <= j)
            right = j;
        else
            left = j + 1;
    }
}

double stats_quantile(double *work, size_t n, double q)
{
    double h = (double)(n - 1) * q, lo_v, hi_v;
    size_t lo = (size_t)floor(h);

    if (lo >= n - 1)
        lo = n - 1;
    select_kth(work, n, lo);
    lo_v = work[lo];
    if (lo == n - 1 || h == (double)lo)
        return lo_v;
    /* the next order statistic is the smallest value right of lo */
    hi_v = work[lo + 1];
    for (size_t i = lo + 2; i < n; i++) {
        if (work[i] < hi_v)
            hi_v = work[i];
    }
    return lo_v + (h - (double)lo) * (hi_v - lo_v);
}

void stats_summarise(const double *samples, size_t n, double *work, struct bg_summary *out)
{
    double sum = 0.0, mean, m2 = 0.0;

    out->n = n;
    out->min = samples[0];
    out->max = samples[0];
    for (size_t i = 0; i < n; i++) {
        sum += samples[i];
        if (samples[i] < out->min)
            out->min = samples[i];
        if (samples[i] > out->max)
            out->max = samples[i];
    }
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        m2 += (samples[i] - mean) * (samples[i] - mean);
    out->mean = mean;
    out->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0.0;

    memcpy(work, samples, n * sizeof(*work));
    out->p95 = stats_quantile(work, n, 0.95);
    /* a second selection over the same, now partly ordered, scratch array */
    out->median = stats_quantile(work, n, 0.5);
}
