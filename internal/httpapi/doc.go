// Package httpapi is the HTTP adapter of reliefgap: routes, request and
// response DTOs, authentication by API key, rate limits, metrics and the one
// function that maps a domain error code to an HTTP status. It is the only
// package that imports gin.
//
// Every handler has one shape: bind a request DTO, convert it to a domain
// input, call a service from internal/access, convert the result to a
// response DTO. Handlers return an error; one writer turns it into an
// application/problem+json document (RFC 9457).
//
// Who may do what:
//   - the public (no key) reads reference data, published values and every
//     gap figure, and downloads templates;
//   - an advocate key reads the same with higher rate limits and larger pages;
//   - a ministry key uploads consumption and estimates for its one country and
//     sees that country's uploads; another country's uploads answer 404;
//   - an administrator does everything: reference loads, publication, keys.
//
// A present but invalid or revoked key is refused with 401; it never falls
// back to public access.
package httpapi
