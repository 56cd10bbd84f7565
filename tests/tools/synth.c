/*
 * synth.c: seeded synthetic runs for the gate's statistical tests, printed
 * as a benchgate run document.
 *
 * usage: synth SEED N_BENCH N_SAMPLES SHIFT NOISE [SHIFTED [DRIFT]]
 *   benchmark i ("bench-0007") has level (1 + i % 7) ms; every sample is
 *   level * (1 + SHIFT) * (1 + NOISE * z), z standard normal (Box-Muller on
 *   splitmix64), floored at a tenth of the level. SHIFT applies to the
 *   first SHIFTED benchmarks only (default: all of them). With DRIFT, the
 *   run is a CI run: its machine is 4% faster or slower (sd) for every
 *   benchmark, and each benchmark's level moves by DRIFT (sd, lognormal).
 * The same arguments print the same document on every machine.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t splitmix64(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform(void) /* in (0, 1) */
{
    return ((double)(splitmix64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static long arg(char **argv, int i, long lo, long hi)
{
    char *end;
    long v = strtol(argv[i], &end, 10);

    if (*end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "synth: argument %d '%s' is not a whole number in [%ld, %ld]\n", i,
                argv[i], lo, hi);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long n_bench, n_samples, shifted;
    double shift, noise, drift = 0.0, machine = 1.0;

    if (argc < 6 || argc > 8) {
        fputs("usage: synth SEED N_BENCH N_SAMPLES SHIFT NOISE [SHIFTED [DRIFT]]\n", stderr);
        return 2;
    }
    state = (uint64_t)arg(argv, 1, 0, 1000000000L);
    n_bench = arg(argv, 2, 1, 100000);
    n_samples = arg(argv, 3, 1, 100000);
    shift = strtod(argv[4], NULL);
    noise = strtod(argv[5], NULL);
    shifted = argc >= 7 ? arg(argv, 6, 0, n_bench) : n_bench;
    if (argc == 8) {
        drift = strtod(argv[7], NULL);
        machine = exp(0.04 * normal());
    }

    printf("{\"benchgate\": 1, \"results\": [\n");
    for (long i = 0; i < n_bench; i++) {
        double level = 1e6 * (double)(1 + i % 7) * (i < shifted ? 1.0 + shift : 1.0);

        if (argc == 8)
            level *= machine * exp(drift * normal());

        printf("  {\"name\": \"bench-%04ld\", \"samples\": [", i);
        for (long j = 0; j < n_samples; j++) {
            double v = level * (1.0 + noise * normal());

            printf("%s%.17g", j > 0 ? ", " : "", v < level / 10 ? level / 10 : v);
        }
        printf("]}%s\n", i + 1 < n_bench ? "," : "");
    }
    printf("]}\n");
    return 0;
}
