package pages

// notices are the confirmations a redirect may ask for with ?aviso=code:
// only these codes show anything, so a link cannot put words on a page. One
// table for every area, so a code is never taken twice.
var notices = map[string]string{
	// accounts
	"cuenta-creada":       "notice.account_created",
	"datos-guardados":     "notice.profile_saved",
	"clave-cambiada":      "notice.password_changed",
	"cuenta-eliminada":    "notice.account_deleted",
	"usuario-creado":      "notice.user_created",
	"usuario-actualizado": "notice.user_updated",
	// cart
	"agregado":            "orders.notice.added",
	"carrito-actualizado": "orders.notice.cart_updated",
	// orders board
	"pedido-cancelado":   "orders.notice.cancelled",
	"pedido-actualizado": "orders.notice.moved",
	"pedido-ya-cambio":   "orders.notice.changed",
	"pago-registrado":    "orders.notice.paid",
	// my products
	"producto-creado":     "producer.notice.created",
	"producto-guardado":   "producer.notice.saved",
	"foto-agregada":       "producer.notice.photo_added",
	"foto-quitada":        "producer.notice.photo_removed",
	"producto-archivado":  "producer.notice.archived",
	"producto-reactivado": "producer.notice.reactivated",
	"inventario-ajustado": "producer.notice.stock_adjusted",
	// my initiative
	"iniciativa-guardada": "myini.notice.saved",
	"integrante-agregado": "myini.notice.member_added",
	"integrante-quitado":  "myini.notice.member_removed",
	// my fairs
	"feria-aceptada":      "notice.fair_accepted",
	"surtido-guardado":    "notice.fair_stock_saved",
	"caja-cerrada":        "notice.cash_closed",
	"feria-creada":        "notice.fair_created",
	"feria-open":          "notice.fair_opened",
	"feria-closed":        "notice.fair_closed",
	"iniciativa-invitada": "notice.initiative_invited",
	"efectivo-entregado":  "notice.cash_handed",
	"entrega-recibida":    "notice.handover_received",
	"entrega-cambio":      "notice.handover_changed",
	"gasto-anotado":       "notice.expense_added",
	"gasto-sin-recibo":    "notice.expense_added_without_receipt",
	"gasto-corregido":     "notice.expense_fixed",
	"mesa-creada":         "notice.table_created",
	// progress
	"hito-enviado":       "notice.milestone_submitted",
	"hito-revisado":      "notice.milestone_reviewed",
	"meta-guardada":      "notice.target_saved",
	"hito-guardado":      "notice.milestone_definition_saved",
	"indicador-guardado": "notice.indicator_saved",
	// programme
	"compromiso-firmado":    "commitment.notice.signed",
	"compromiso-verificado": "commitment.notice.verified",
	"compromiso-suspendido": "commitment.notice.suspended",
	// advice
	"sesion-registrada":     "advice.notice.session_saved",
	"sesion-sin-foto":       "advice.notice.session_saved_without_photo",
	"sesion-sin-compromiso": "commitment.notice.session_unsigned",
	"compromiso-done":       "advice.notice.agreement_done",
	"compromiso-dropped":    "advice.notice.agreement_dropped",
	"compromiso-open":       "advice.notice.agreement_open",
	"compromiso-sin-cambio": "advice.notice.agreement_unchanged",
	"adjunto-quitado":       "advice.notice.attachment_removed",
	// training
	"curso-guardado":       "training.notice.course_saved",
	"inscripcion-guardada": "training.notice.enrolment_saved",
	"inscripcion-quitada":  "training.notice.enrolment_removed",
	"certificado-guardado": "training.notice.certificate_saved",
}

// NoticeCodes lists the codes of every notice (tests show each one).
func NoticeCodes() []string {
	codes := make([]string, 0, len(notices))
	for code := range notices {
		codes = append(codes, code)
	}
	return codes
}
