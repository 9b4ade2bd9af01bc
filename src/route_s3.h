/*
 * Uppy Companion's S3 routes (issue 12), so that @uppy/aws-s3 works
 * against ossign unchanged ("companionEndpoint" in 6.x, "endpoint" in
 * 4.x/5.x), for an upload section with multipart = yes:
 *	GET    .../s3/params?filename=&type=	  the PostObject signature
 *	POST   .../s3/multipart			  InitiateMultipartUpload
 *	GET    .../s3/multipart/ID/N?key=	  a presigned UploadPart URL
 *	GET    .../s3/multipart/ID/batch?key=&partNumbers=1,2
 *	GET    .../s3/multipart/ID?key=		  ListParts, every page
 *	POST   .../s3/multipart/ID/complete?key=  the checks, then Complete
 *	DELETE .../s3/multipart/ID?key=		  AbortMultipartUpload
 * The section is the path segment before "s3" when it names one, else
 * "default".  Every route first asks gate_check (one signature); ID is
 * the browser's upload id (s3id.h), bound to the key, the section and the
 * user: a call that names it with another one gets 403.  ossign's calls to
 * OSS go through osscall.h.  Every 2xx answer is JSON; errors are
 * ossign's JSON errors (OSS's own as ossapi_oerr makes them).
 */
#ifndef OSSIGN_ROUTE_S3_H
#define OSSIGN_ROUTE_S3_H

#include "route.h"

/* route_fn's (route.h): read the clock, the CSPRNG, the credentials, the
   server secret, and call OSS. */
void	 route_s3_params(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_create(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_part(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_batch(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_list(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_complete(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);
void	 route_s3_abort(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

/*
 * The highest part number an upload of section up may use: max_size at
 * @uppy/aws-s3's smallest part (LIMIT_UPPY_PART_MIN), rounded up, 1 to
 * LIMIT_OSS_PART_NUMBER.  Pure.
 */
int	 route_s3_max_part(const struct conf_upload *up);

#endif /* OSSIGN_ROUTE_S3_H */
