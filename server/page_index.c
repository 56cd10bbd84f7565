/*
 * page_index.c: GET /: every project (on a private server, the token's
 * own), with its newest run and how many benchmarks that run regressed.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "server/auth.h"
#include "server/html.h"
#include "server/judge.h"
#include "server/page.h"

void page_index(const struct http_request *rq, const char *const *params,
                struct http_response *rs)
{
    char owner[BG_NAME_MAX + 1] = "", date[32], base[BG_NAME_MAX + 1];
    struct store_project *p = NULL;
    struct page pg;
    int n;

    (void)params;
    page_begin(&pg);
    if (!auth_reader_scope(rq, owner, rs))
        goto out;
    n = store_list_projects(rq->st, &p);
    if (n < 0) {
        http_store_failed(rs);
        goto out;
    }
    bg_buf_adds(&pg.main, "<h1>Projects</h1>\n<p class=\"lead\">Each project's newest run, judged "
                "against its baseline as <code>benchgate check</code> would.</p>\n");
    if (n == 0)
        page_note(&pg.main, "No runs yet. Upload one with: benchgate collect --server URL --token "
                  "TOKEN --project NAME results.json");
    else
        /* on a phone the opt columns give way: project, newest run, regressed stay */
        bg_buf_adds(&pg.main, "<table>\n<thead><tr><th>Project</th><th class=\"num opt\">Runs</th>"
                    "<th>Newest run</th><th class=\"opt\">Branch</th><th class=\"opt\">Commit</th>"
                    "<th class=\"num opt\">Benchmarks</th><th>Regressed</th></tr></thead>\n"
                    "<tbody>\n");
    for (int i = 0; i < n; i++) {
        struct judged j;
        int64_t id;

        if (owner[0] != '\0' && strcmp(owner, p[i].name) != 0)
            continue;
        bg_buf_adds(&pg.main, "<tr><td class=\"name\"><a href=\"");
        page_href_project(&pg.main, p[i].name);
        bg_buf_adds(&pg.main, "\">");
        html_text(&pg.main, p[i].name);
        bg_buf_addf(&pg.main, "</a></td><td class=\"num opt\">%" PRId64 "</td>", p[i].n_runs);
        if (judge_newest_run(rq, p[i].name, NULL, NULL, &id, rs) < 0 ||
            judge_base_branch(rq, p[i].name, base, rs) < 0)
            goto out;
        if (id == 0) {
            bg_buf_adds(&pg.main, "<td colspan=\"5\">no runs yet</td></tr>\n");
            continue;
        }
        if (judge_stored_run(rq, p[i].name, id, base, false, &j, rs) < 0)
            goto out;
        page_when(j.cur.timestamp, date, sizeof(date));
        bg_buf_adds(&pg.main, "<td><a href=\"");
        page_href_run(&pg.main, p[i].name, id);
        bg_buf_addf(&pg.main, "\">%s UTC</a></td><td class=\"name opt\">", date);
        html_text(&pg.main, j.cur.branch);
        bg_buf_addf(&pg.main, "</td><td class=\"mono opt\">%.7s</td><td class=\"num opt\">%zu</td>",
                    j.cur.commit != NULL ? j.cur.commit : "", j.cur.n_results);
        if (!j.base.found)
            bg_buf_adds(&pg.main, "<td><span class=\"low\">no baseline yet</span></td>");
        else
            bg_buf_addf(&pg.main, "<td><span class=\"badge %s\">%zu</span></td>",
                        j.report.count[GATE_REGRESSED] > 0 ? "bad" : "ok",
                        j.report.count[GATE_REGRESSED]);
        bg_buf_adds(&pg.main, "</tr>\n");
        judge_release(&j);
    }
    if (n > 0)
        bg_buf_adds(&pg.main, "</tbody>\n</table>\n");
out:
    free(p);
    page_end(&pg, "Projects", rs);
}
