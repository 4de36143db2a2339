package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

// uploadForm is the multipart body of POST /uploads.
type uploadForm struct {
	File    *multipart.FileHeader `form:"file" binding:"required"`
	Kind    string                `form:"kind" binding:"omitempty,oneof=consumption estimates population deaths countries availability ccs"`
	Country string                `form:"country" binding:"omitempty,len=3"`
	DryRun  bool                  `form:"dry_run"`
	Locale  string                `form:"locale" binding:"omitempty,oneof=dot comma auto"`
	Replace bool                  `form:"replace"`
	// Supplement numbers the supplementary estimates in the file.
	Supplement int `form:"supplement" binding:"omitempty,min=1,max=99"`
	// The data's terms; left empty, they default from the publisher the
	// importer recognises.
	Source   string `form:"source" binding:"max=200"`
	Licence  string `form:"licence" binding:"max=500"`
	Citation string `form:"citation" binding:"max=2000"`
}

// uploadSummaryDTO is an upload in a list.
type uploadSummaryDTO struct {
	ID           int64               `json:"id"`
	Filename     string              `json:"filename"`
	Size         int64               `json:"size"`
	SHA256       string              `json:"sha256"`
	Kind         string              `json:"kind"`
	Layout       string              `json:"layout,omitempty"`
	Country      string              `json:"country"`
	Uploader     string              `json:"uploader"`
	Status       string              `json:"status"`
	Reason       string              `json:"reason,omitempty"`
	ReceivedAt   time.Time           `json:"received_at"`
	DecidedAt    *time.Time          `json:"decided_at"`
	Counts       access.UploadCounts `json:"counts"`
	SupersededBy int64               `json:"superseded_by,omitempty"`
	access.Terms
	Links uploadLinks `json:"links"`
}

type uploadLinks struct {
	Self      string `json:"self"`
	File      string `json:"file"`
	Annotated string `json:"annotated"`
}

// uploadDTO is one upload in full: its problems and what it changes.
type uploadDTO struct {
	uploadSummaryDTO
	Duplicate bool             `json:"duplicate"`
	Problems  []access.Problem `json:"problems"`
	// ProblemGroups shows each kind of problem once, with its count and
	// first cells; Problems holds every one.
	ProblemGroups []problemGroupDTO `json:"problem_groups"`
	Diff          access.Diff       `json:"diff"`
	Matches       []access.Match    `json:"matches"`
	// Progress is there while the upload is being processed.
	Progress *progressDTO `json:"progress,omitempty"`
}

// progressDTO is how far the processing of an upload has got.
type progressDTO struct {
	JobID     int64  `json:"job_id"`
	JobStatus string `json:"job_status"`
	RowsRead  int64  `json:"rows_read"`
}

func uploadURL(id int64) string { return APIPrefix + "/uploads/" + strconv.FormatInt(id, 10) }

func toUploadSummary(u access.Upload) uploadSummaryDTO {
	self := uploadURL(u.ID)
	return uploadSummaryDTO{ID: u.ID, Filename: u.Filename, Size: u.Size, SHA256: u.SHA256, Kind: string(u.Kind),
		Layout: u.Layout, Country: u.Country, Uploader: u.Uploader, Status: string(u.Status), Reason: u.Reason,
		ReceivedAt: u.ReceivedAt, DecidedAt: u.DecidedAt, Counts: u.Counts, SupersededBy: u.SupersededBy, Terms: u.Terms,
		Links: uploadLinks{Self: self, File: self + "/file", Annotated: self + "/annotated.xlsx"}}
}

func toUploadDTO(u access.Upload, duplicate bool) uploadDTO {
	d := uploadDTO{uploadSummaryDTO: toUploadSummary(u), Duplicate: duplicate, Problems: u.Problems, Diff: u.Diff, Matches: u.Matches}
	if d.Problems == nil {
		d.Problems = []access.Problem{}
	}
	if d.Matches == nil {
		d.Matches = []access.Match{}
	}
	d.ProblemGroups = []problemGroupDTO{}
	for _, g := range access.GroupProblems(u.Problems, 10) {
		d.ProblemGroups = append(d.ProblemGroups, problemGroupDTO{Severity: string(g.Severity), Code: g.Code, Count: g.Count, First: g.First, Cells: g.Refs})
	}
	return d
}

// problemGroupDTO is one kind of problem of an upload.
type problemGroupDTO struct {
	Severity string         `json:"severity"`
	Code     string         `json:"code"`
	Count    int            `json:"count"`
	First    access.Problem `json:"first"`
	Cells    []string       `json:"cells,omitempty"`
}

// createUpload receives a file. The bytes are kept and the upload recorded
// before anything is parsed; small files are then validated in the request,
// large ones in the background, and the client polls the Location.
func (s *Server) createUpload(c *gin.Context) error {
	p := who(c)
	if err := s.cfg.Imports.CanUpload(p); err != nil {
		return err // before the body is read
	}
	limit := s.cfg.MaxUploadBytes + multipartOverhead
	if c.Request.ContentLength > limit {
		return tooLarge(s.cfg.MaxUploadBytes)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	var form uploadForm
	if err := c.ShouldBind(&form); err != nil {
		if isTooLarge(err) {
			return tooLarge(s.cfg.MaxUploadBytes)
		}
		return invalid(err)
	}
	if c.Request.MultipartForm != nil {
		defer c.Request.MultipartForm.RemoveAll()
	}
	if form.File.Size > s.cfg.MaxUploadBytes {
		return tooLarge(s.cfg.MaxUploadBytes)
	}
	opt := access.ImportOptions{Kind: access.ImportKind(form.Kind), Country: strings.ToUpper(form.Country),
		DryRun: form.DryRun, Replace: form.Replace, Supplement: form.Supplement, RemoteAddr: c.ClientIP(), Locale: form.Locale,
		Terms: access.Terms{Source: form.Source, Licence: form.Licence, Citation: form.Citation}}
	filename := path.Base(strings.ReplaceAll(form.File.Filename, `\`, "/"))
	ctx := context.WithoutCancel(c.Request.Context())
	if r := s.cfg.Runner; r != nil && form.File.Size > s.cfg.AsyncThreshold {
		// Large: spooled to a file, hashed and kept a part at a time, and
		// processed by the job runner; its bytes are never all in memory.
		res, err := s.receiveSpooled(ctx, p, filename, form.File, opt)
		if err != nil {
			return err
		}
		c.Header("Location", uploadURL(res.Upload.ID))
		if res.Duplicate {
			c.JSON(http.StatusOK, toUploadDTO(res.Upload, true))
			return nil
		}
		r.Wake()
		return s.accepted(c, res.Upload)
	}
	data, err := readPart(form.File, s.cfg.MaxUploadBytes)
	if err != nil {
		return err
	}
	res, err := s.cfg.Imports.Receive(ctx, p, filename, data, opt)
	if err != nil {
		return err
	}
	u := res.Upload
	c.Header("Location", uploadURL(u.ID))
	if res.Duplicate {
		c.JSON(http.StatusOK, toUploadDTO(u, true))
		return nil
	}
	if r := s.cfg.Runner; r != nil {
		if int64(len(data)) > s.cfg.AsyncThreshold {
			r.Wake()
			return s.accepted(c, u)
		}
		// Small: run its job here, unless the database is busy with
		// another (SQLite runs one at a time); then the runner does.
		j, ran, err := r.RunNow(ctx, res.Job, syncClaimWait)
		if err != nil {
			return err
		}
		if !ran && !j.Finished() {
			r.Wake()
			return s.accepted(c, u)
		}
		if u, err = s.cfg.Store.Upload(ctx, u.ID); err != nil {
			return err
		}
		return s.processed(c, u, nil)
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.ProcessTimeout)
	defer cancel()
	u, _, err = s.cfg.Imports.RunNow(pctx, p, res, data, opt, s.cfg.ProcessTimeout)
	return s.processed(c, u, err)
}

// syncClaimWait is how long a small upload waits in the request for the
// database before it is left to the job runner.
const syncClaimWait = 2 * time.Second

// retryAfter is the polling interval suggested for an upload in progress.
const retryAfter = "2"

// accepted answers 202: the upload is processed in the background; the
// client polls the Location.
func (s *Server) accepted(c *gin.Context, u access.Upload) error {
	c.Header("Retry-After", retryAfter)
	d := toUploadDTO(u, false)
	s.addProgress(c.Request.Context(), &d)
	c.JSON(http.StatusAccepted, d)
	return nil
}

// processed answers for an upload processed in the request.
func (s *Server) processed(c *gin.Context, u access.Upload, err error) error {
	switch {
	case u.Status == access.StatusRejected:
		code := access.Invalid
		for _, p := range u.Problems {
			if p.Code == "forbidden" {
				code = access.Forbidden
			}
		}
		return &uploadError{id: u.ID, err: &access.Error{Code: code, Msg: u.Reason, Problems: u.Problems}}
	case u.Status == access.StatusFailed:
		if err == nil {
			err = access.Errorf(access.Internal, "", "%s", u.Reason)
		}
		return &uploadError{id: u.ID, err: err}
	case err != nil:
		return &uploadError{id: u.ID, err: err}
	case u.Status == access.StatusDryRun:
		// Validated and reported; nothing waits for a decision.
		c.JSON(http.StatusOK, toUploadDTO(u, false))
		return nil
	case u.Status == access.StatusReceived || u.Status == access.StatusValidating:
		return s.accepted(c, u)
	}
	c.JSON(http.StatusAccepted, toUploadDTO(u, false))
	return nil
}

// addProgress adds the state of the upload's job while it is not settled.
func (s *Server) addProgress(ctx context.Context, d *uploadDTO) {
	if d.Status != string(access.StatusReceived) && d.Status != string(access.StatusValidating) {
		return
	}
	js, err := s.cfg.Store.Jobs(ctx, access.JobFilter{Ref: access.UploadRef(d.ID), Limit: 1})
	if err != nil || len(js) == 0 {
		return
	}
	j := js[0]
	pr := &progressDTO{JobID: j.ID, JobStatus: string(j.Status), RowsRead: j.Progress}
	if s.cfg.Runner != nil {
		if n, ok := s.cfg.Runner.Progress(j.ID); ok {
			pr.RowsRead = n
		}
	}
	d.Progress = pr
}

func tooLarge(limit int64) error {
	return access.Errorf(access.TooLarge, "", "the file is larger than the limit of %d bytes", limit)
}

func isTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb) || errors.Is(err, multipart.ErrMessageTooLarge) ||
		strings.Contains(err.Error(), "request body too large")
}

// receiveSpooled copies an uploaded part to a temporary file (at most the
// upload limit) and receives it from there.
func (s *Server) receiveSpooled(ctx context.Context, p access.Principal, filename string, fh *multipart.FileHeader, opt access.ImportOptions) (access.ImportResult, error) {
	f, err := fh.Open()
	if err != nil {
		return access.ImportResult{}, invalid(err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp("", "reliefgap-upload-*")
	if err != nil {
		return access.ImportResult{}, err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(f, s.cfg.MaxUploadBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return access.ImportResult{}, invalid(err)
	}
	if n > s.cfg.MaxUploadBytes {
		return access.ImportResult{}, tooLarge(s.cfg.MaxUploadBytes)
	}
	return s.cfg.Imports.ReceiveFile(ctx, p, filename, tmp.Name(), opt)
}

func readPart(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, invalid(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, invalid(err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
	}
	return data, nil
}

func idParam(c *gin.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, access.Errorf(access.NotFound, "", "no %s %q", what, c.Param("id"))
	}
	return id, nil
}

// visibleUpload loads an upload the caller may see; another country's
// upload is reported as missing, so that its existence does not leak.
func (s *Server) visibleUpload(c *gin.Context) (access.Upload, error) {
	p := who(c)
	id, err := idParam(c, "upload")
	if err != nil {
		return access.Upload{}, err
	}
	return s.cfg.Imports.Upload(c.Request.Context(), p, id)
}

func (s *Server) getUpload(c *gin.Context) error {
	u, err := s.visibleUpload(c)
	if err != nil {
		return err
	}
	d := toUploadDTO(u, false)
	s.addProgress(c.Request.Context(), &d)
	if d.Progress != nil {
		c.Header("Retry-After", retryAfter)
	}
	c.JSON(http.StatusOK, d)
	return nil
}

type uploadsQuery struct {
	Country string `form:"country"`
	Status  string `form:"status" binding:"omitempty,oneof=received validating rejected submitted failed published superseded dry-run"`
	Kind    string `form:"kind" binding:"omitempty,oneof=consumption estimates population deaths countries availability ccs"`
	Limit   int    `form:"limit" binding:"omitempty,min=1"`
	Cursor  string `form:"cursor"`
}

func (s *Server) listUploads(c *gin.Context) error {
	p := who(c)
	var q uploadsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	q.Country = strings.ToUpper(q.Country)
	limit := min(pageLimit(p, q.Limit, defaultUploadsPg, maxUploadsPage), maxUploadsPage)
	fp := queryFingerprint(q.Country, q.Status, q.Kind)
	cur, err := decodeCursor(q.Cursor, fp)
	if err != nil {
		return err
	}
	us, err := s.cfg.Imports.Uploads(c.Request.Context(), p, access.UploadFilter{Country: q.Country,
		Status: access.UploadStatus(q.Status), Kind: access.ImportKind(q.Kind), Before: cur.Before, Limit: limit + 1})
	if err != nil {
		return err
	}
	resp := listResponse[uploadSummaryDTO]{Items: []uploadSummaryDTO{}}
	for i, u := range us {
		if i == limit {
			resp.NextCursor = encodeCursor(pageCursor{Before: us[i-1].ID, Query: fp})
			break
		}
		resp.Items = append(resp.Items, toUploadSummary(u))
	}
	setNextLink(c, resp.NextCursor)
	c.JSON(http.StatusOK, resp)
	return nil
}

// attachment sets the headers of a file download.
func attachment(c *gin.Context, filename, contentType string) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Type", contentType)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func contentTypeFor(filename string) string {
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		return xlsxType
	case ".xls":
		return "application/vnd.ms-excel"
	case ".csv":
		return "text/csv"
	}
	return "application/octet-stream"
}

func (s *Server) uploadFile(c *gin.Context) error {
	u, err := s.visibleUpload(c)
	if err != nil {
		return err
	}
	data, err := s.cfg.Store.Blob(c.Request.Context(), u.SHA256)
	if err != nil {
		return err
	}
	name := u.Filename
	if name == "" {
		name = fmt.Sprintf("upload-%d", u.ID)
	}
	ct := contentTypeFor(name)
	attachment(c, name, ct)
	c.Data(http.StatusOK, ct, data)
	return nil
}

func (s *Server) annotatedUpload(c *gin.Context) error {
	u, err := s.visibleUpload(c)
	if err != nil {
		return err
	}
	out, err := s.cfg.Imports.Annotated(c.Request.Context(), u, func() ([]byte, error) {
		return s.cfg.Store.Blob(c.Request.Context(), u.SHA256)
	})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(u.Filename, path.Ext(u.Filename))
	if base == "" {
		base = fmt.Sprintf("upload-%d", u.ID)
	}
	attachment(c, base+".annotated.xlsx", xlsxType)
	c.Data(http.StatusOK, xlsxType, out)
	return nil
}

func (s *Server) publishUpload(c *gin.Context) error {
	p := who(c)
	id, err := idParam(c, "upload")
	if err != nil {
		return err
	}
	u, err := s.cfg.Imports.Publish(c.Request.Context(), p, id, c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUploadDTO(u, false))
	return nil
}

type rejectRequest struct {
	Reason string `json:"reason" binding:"required,max=2000"`
}

func (s *Server) rejectUpload(c *gin.Context) error {
	p := who(c)
	id, err := idParam(c, "upload")
	if err != nil {
		return err
	}
	var req rejectRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return invalid(err)
	}
	u, err := s.cfg.Imports.Reject(c.Request.Context(), p, id, strings.TrimSpace(req.Reason), c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUploadDTO(u, false))
	return nil
}

// templateKinds are the kinds a ministry fills in from a template.
var templateKinds = map[string]access.ImportKind{"consumption": access.KindConsumption, "estimates": access.KindEstimates}

// template serves /templates/{kind}.xlsx; gin cannot route a parameter
// followed by a suffix in one segment, so the file name is parsed here.
func (s *Server) template(c *gin.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".xlsx")
	kind, known := templateKinds[name]
	if !ok || !known {
		return access.Errorf(access.NotFound, "", "no template %q: use consumption.xlsx or estimates.xlsx", c.Param("file"))
	}
	if s.cfg.Template == nil {
		return access.Errorf(access.NotFound, "", "templates are not available")
	}
	var data []byte
	var err error
	if p := who(c); p.Role == access.RoleMinistry && p.Country != "" && s.cfg.CountryTemplate != nil {
		data, err = s.cfg.CountryTemplate(kind, p.Country)
	} else {
		data, err = s.cfg.Template(kind)
	}
	if err != nil {
		return err
	}
	attachment(c, "reliefgap-"+name+"-template.xlsx", xlsxType)
	c.Data(http.StatusOK, xlsxType, data)
	return nil
}
