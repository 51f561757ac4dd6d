package gatehouse

// ExportManageError is manageError: the HTTP error of an error of package
// manage.
var ExportManageError = manageError
