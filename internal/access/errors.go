package access

import (
	"errors"
	"fmt"
)

// Code classifies an Error; one table in the HTTP adapter maps codes to
// status codes.
type Code string

const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooLarge     Code = "too_large"
	Internal     Code = "internal"
	// Unavailable: the service cannot take this now (every parser busy
	// until the request's time ran out, or shutting down); try again later.
	Unavailable Code = "unavailable"
)

// Error is the domain's one error type. Op names the operation that failed
// ("store.CountryByISO3"), Msg is safe to show a user, Err is the cause.
type Error struct {
	Code Code
	Op   string
	Msg  string
	Err  error
	// Problems carries row-level import problems when an import is refused.
	Problems []Problem
}

func (e *Error) Error() string {
	var s string
	if e.Op != "" {
		s = e.Op + ": "
	}
	switch {
	case e.Msg != "" && e.Err != nil:
		s += e.Msg + ": " + e.Err.Error()
	case e.Msg != "":
		s += e.Msg
	case e.Err != nil:
		s += e.Err.Error()
	default:
		s += string(e.Code)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a coded error with a user-facing message.
func Errorf(code Code, op, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, Internal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic message for errors that must not leak detail.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		if e.Msg != "" {
			return e.Msg
		}
		return e.Error()
	}
	return "internal error"
}

// ErrorProblems returns the import problems carried by err, if any.
func ErrorProblems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// Wrap adds op context to *errp, keeping its code: defer access.Wrap(&err, "X(%q)", id).
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
}
