#!/bin/sh
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIsmoke ALIBABA_CLOUD_ACCESS_KEY_SECRET=smokesecret123
export GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=$1 REQUEST_URI="$2?$3" QUERY_STRING="$3" OSSIGN_CONFIG=/tmp/k/smoke/ossign.conf
if [ -n "$4" ]; then export CONTENT_TYPE=application/json CONTENT_LENGTH=$(printf %s "$4" | wc -c); printf %s "$4" | valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --suppressions=/work/wt/K/tests/valgrind.supp /work/wt/K/build/src/ossign; else valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --suppressions=/work/wt/K/tests/valgrind.supp /work/wt/K/build/src/ossign </dev/null; fi
echo " rc=$?"
