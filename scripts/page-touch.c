/* What it costs this machine to touch fresh memory, with huge or small pages.
 *
 *   cc -O2 -o /tmp/page-touch scripts/page-touch.c
 *   /tmp/page-touch MIB HUGE      (HUGE: 1 = MADV_HUGEPAGE, 0 = MADV_NOHUGEPAGE)
 *
 * Maps MIB MiB three times in one process, touches one byte a page, and prints
 * the milliseconds per MiB of each round (BENCHMARKS.md, issue 24, third part).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <string.h>
double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc, char **argv){size_t n=(size_t)atoi(argv[1])<<20; int huge=atoi(argv[2]);
for(int r=0;r<3;r++){char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
madvise(p,n,huge?MADV_HUGEPAGE:MADV_NOHUGEPAGE);
double t=now(); for(size_t i=0;i<n;i+=4096)p[i]=1; double t2=now(); memset(p,2,n); double t3=now();
printf("touch %.1f ms (%.2f ms/MB)  memset after %.1f ms\n",(t2-t)*1e3,(t2-t)*1e3/(n>>20),(t3-t2)*1e3);munmap(p,n);}}
