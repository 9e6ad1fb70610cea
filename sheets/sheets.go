// Package sheets writes tables as the spreadsheets reports download: a
// workbook of named sheets (XLSX, excelize) or one table as CSV (UTF-8 with
// a byte order mark, so spreadsheets read the accents right).
package sheets

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"
)

// Sheet is one named table; cells are strings or numbers (int64, int).
type Sheet struct {
	Name string
	Rows [][]any
}

// WriteXLSX writes the sheets, in order, as a workbook.
func WriteXLSX(w io.Writer, list []Sheet) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	for i, sh := range list {
		if i == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err != nil {
			return err
		}
		for r, row := range sh.Rows {
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			if err != nil {
				return err
			}
			vals := slices.Clone(row)
			if err := f.SetSheetRow(sh.Name, cell, &vals); err != nil {
				return err
			}
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// WriteCSV writes rows as CSV.
func WriteCSV(w io.Writer, rows [][]any) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
