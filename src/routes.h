/*
 * ossign's route table: every route it serves, in the order route_pick()
 * tries them (route.h), each row naming its handler module.  main.c hands
 * it to the responder.
 */
#ifndef OSSIGN_ROUTES_H
#define OSSIGN_ROUTES_H

#include <stddef.h>

#include "route.h"

extern const struct route	routes[];
extern const size_t		routes_len;

#endif /* OSSIGN_ROUTES_H */
