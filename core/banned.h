/*
 * banned.h: C library calls benchgate never uses, made compile errors.
 *
 * Unbounded writes (sprintf, strcpy, strcat), silent number parsing (atoi,
 * atof), hidden state (strtok) and the shell (system, popen): use bg_buf,
 * core/num.c and core/spawn.c instead.
 */
#ifndef BG_CORE_BANNED_H
#define BG_CORE_BANNED_H

#define BG_BANNED(f) f##_is_banned_in_benchgate

#undef sprintf
#define sprintf(...) BG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BG_BANNED(vsprintf)
#undef strcpy
#define strcpy(d, s) BG_BANNED(strcpy)
#undef strcat
#define strcat(d, s) BG_BANNED(strcat)
#undef strncpy
#define strncpy(d, s, n) BG_BANNED(strncpy)
#undef strtok
#define strtok(s, d) BG_BANNED(strtok)
#undef atoi
#define atoi(s) BG_BANNED(atoi)
#undef atol
#define atol(s) BG_BANNED(atol)
#undef atof
#define atof(s) BG_BANNED(atof)
#undef gets
#define gets(s) BG_BANNED(gets)
#undef system
#define system(c) BG_BANNED(system)
#undef popen
#define popen(c, m) BG_BANNED(popen)

#endif /* BG_CORE_BANNED_H */
