package views

// The figures several views show, declared once: each has one id, title,
// unit and width in every view. A view only says, with at, how soon a
// narrow screen drops it there.
var (
	colCPUPct     = Column{ID: "cpu_pct", Title: "CPU%", Unit: UnitPct, Number: true, Width: 6}
	colMemBytes   = Column{ID: "mem_bytes", Title: "MEM", Unit: UnitBytes, Number: true, Width: 6}
	colMemPct     = Column{ID: "mem_pct", Title: "MEM%", Unit: UnitPct, Number: true, Width: 5}
	colNetRxBps   = Column{ID: "net_rx_bps", Title: "NET RX", Unit: UnitBps, Number: true, Width: 7}
	colNetTxBps   = Column{ID: "net_tx_bps", Title: "NET TX", Unit: UnitBps, Number: true, Width: 7}
	colContainers = Column{ID: "containers", Title: "CONTAINERS", Unit: UnitCount, Number: true, Width: 5}
)

// at is the column with the Priority a view gives it (0: never dropped).
func (c Column) at(priority int) Column {
	c.Priority = priority
	return c
}

// columnList builds a view's columns, giving each its index as it is
// added: a view that fills rows by index declares the indexes with the
// columns, so the two cannot drift apart.
type columnList []Column

// add appends c and returns its index.
func (l *columnList) add(c Column) int {
	*l = append(*l, c)
	return len(*l) - 1
}

// nullWhen is the column with the manual's word on when it is null.
func (c Column) nullWhen(when string) Column {
	c.Null = when
	return c
}
