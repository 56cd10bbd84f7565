/*
 * test_catch2.c: the Catch2 XML reporter on the corpus (names and means
 * from MANIFEST.json), the JUnit refusal, and the XML reader on hostile
 * input: every error names the line, nothing crashes or leaks.
 */
#include "tests/unit/collect_helpers.h"
#include "collector/xml.h"

/* text, read as r.xml, is rejected with a message holding want */
static void rejects(const char *text, const char *want)
{
    expect_rejected("r.xml", NULL, text, want);
}

static void test_corpus(void **state)
{
    static const struct {
        const char *name;
        double mean;
    } want[] = {
        { "Fibonacci/fib 15", 627.233 },
        { "Fibonacci/fib 20", 7594.41 },
        { "Containers: vector vs string, \"quoted\"/vector push_back 1000", 1076.3 },
        { "Containers: vector vs string, \"quoted\"/string append µs/ü <x>", 671.988 },
        { "Slow sleep/sleep 1ms", 1110910.0 },
    };
    struct bg_buf in = BG_BUF_INIT;
    struct bg_run run;
    struct bg_diag d = { 0 };
    char path[512];

    (void)state;
    fixture(path, sizeof(path), "catch2/xml-reporter/stdout.xml");
    assert_int_equal(bg_buf_read_file(&in, path, BG_MAX_INPUT, &d), 0);
    bg_run_init(&run);
    if (collect_text("r.xml", NULL, in.data, &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "catch2");
    assert_int_equal(run.n_results, 5);
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        assert_string_equal(run.results[i].name, want[i].name);
        assert_true(run.results[i].summary_only);
        assert_int_equal(run.results[i].sum.n, 20);
        assert_near(run.results[i].sum.mean, want[i].mean, 1e-9);
        assert_true(isnan(run.results[i].sum.p95));
    }
    assert_near(run.results[0].sum.stddev, 7.20184, 1e-12);
    bg_run_release(&run);
    bg_buf_release(&in);
}

#define HEAD "<?xml version=\"1.0\"?>\n<Catch name=\"x\">\n"
#define BENCH(attrs, body) "<TestCase name=\"T\"><BenchmarkResults " attrs ">" body \
                           "</BenchmarkResults></TestCase>"

static void test_junit_and_empty(void **state)
{
    (void)state;
    rejects("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
            "<testsuite name=\"catchbench\" tests=\"3\"><testcase classname=\"x\" "
            "name=\"Fibonacci\" time=\"0.6\"/></testsuite>\n</testsuites>\n",
            "r.xml: Catch2 JUnit output carries no benchmark data; run the benchmarks "
            "with -r xml");
    rejects(HEAD "<Group name=\"g\"><TestCase name=\"T\"><OverallResult success=\"true\"/>"
            "</TestCase></Group></Catch>", "r.xml: no benchmark results");
}

static void test_bad_values(void **state)
{
    (void)state;
    rejects(HEAD BENCH("name=\"b\" samples=\"20\"", "<mean value=\"-3\"/>") "</Catch>",
            "r.xml:3: <mean value=\"-3\">: negative");
    rejects(HEAD BENCH("name=\"b\" samples=\"20\"", "<mean value=\"nan\"/>") "</Catch>",
            "not a finite number");
    rejects(HEAD BENCH("name=\"b\" samples=\"20\"", "<mean value=\"1e999\"/>") "</Catch>",
            "not a finite number");
    rejects(HEAD BENCH("name=\"b\" samples=\"20\"", "") "</Catch>", "has no <mean>");
    rejects(HEAD BENCH("name=\"b\"", "<mean value=\"1\"/>") "</Catch>",
            "<BenchmarkResults> has no samples");
    rejects(HEAD BENCH("samples=\"2\"", "<mean value=\"1\"/>") "</Catch>",
            "<BenchmarkResults> has no name");
}

/* The reader itself: truncation, nesting, entities, declarations. */
static void test_hostile_xml(void **state)
{
    char deep[4096];
    size_t n = 0;

    (void)state;
    rejects(HEAD "<TestCase name=\"T\"><BenchmarkResults name=\"b", "truncated");
    rejects(HEAD "<TestCase name=\"T\">", "r.xml:3: unexpected end: an element was not "
            "closed (truncated file?)");
    rejects(HEAD "<TestCase name=\"T\"></Group></Catch>",
            "r.xml:3: end tag does not match the open element");
    rejects(HEAD "<TestCase name=\"&bogus;\"></TestCase></Catch>",
            "unknown or invalid entity");
    rejects(HEAD "<TestCase name=\"&#0;\"></TestCase></Catch>", "unknown or invalid entity");
    rejects(HEAD "<TestCase name=\"&#xD800;\"></TestCase></Catch>", "invalid entity");
    rejects(HEAD "<TestCase name=\"&#1114112;\"></TestCase></Catch>", "invalid entity");
    rejects("<?xml version=\"1.0\"?>\n<!DOCTYPE Catch [<!ENTITY a \"aaaa\">]>\n<Catch/>",
            "not a recognised");
    rejects("<Catch><!DOCTYPE x></Catch>", "r.xml:1: DOCTYPE and other declarations are "
            "not accepted");
    rejects("<Catch name=x></Catch>", "attribute value without quotes");
    rejects("<Catch name=\"a<b\"></Catch>", "'<' inside an attribute value");
    rejects("<Catch <!-- c --></Catch>", "expected an attribute name");
    rejects("<Catch><!-- never ends", "unterminated comment");
    n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<Catch>");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
    rejects(deep, "elements nested too deeply");
}

static void test_reader_tokens(void **state)
{
    const char *doc = "<?xml version='1.0'?><!-- c --><r a='1' b=\"&lt;&amp;&#x263A;&#65;\">"
                      "text<![CDATA[<not a tag>]]><e/></r>";
    struct xml_reader r;
    struct xml_token t;
    struct bg_diag d = { 0 };

    (void)state;
    xml_init(&r, "t.xml", doc, strlen(doc));
    assert_int_equal(xml_next(&r, &t, &d), 0);
    assert_int_equal(t.type, XML_START);
    assert_string_equal(t.name, "r");
    assert_string_equal(xml_attr(&t, "a"), "1");
    assert_string_equal(xml_attr(&t, "b"), "<&\xe2\x98\xba" "A");
    assert_null(xml_attr(&t, "c"));
    xml_token_release(&t);
    assert_int_equal(xml_next(&r, &t, &d), 0);
    assert_true(t.type == XML_START && strcmp(t.name, "e") == 0);
    xml_token_release(&t);
    assert_int_equal(xml_next(&r, &t, &d), 0);
    assert_true(t.type == XML_END && strcmp(t.name, "e") == 0);
    xml_token_release(&t);
    assert_int_equal(xml_next(&r, &t, &d), 0);
    assert_true(t.type == XML_END && strcmp(t.name, "r") == 0);
    xml_token_release(&t);
    assert_int_equal(xml_next(&r, &t, &d), 0);
    assert_int_equal(t.type, XML_EOF);
    xml_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_junit_and_empty),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_reader_tokens),
    };

    return cmocka_run_group_tests_name("catch2", tests, NULL, NULL);
}
