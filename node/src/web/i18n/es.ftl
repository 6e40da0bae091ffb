# Página web de wsf — español (traducción de trabajo, por revisar).
app-name = Foro de Solidaridad Mundial
skip = Ir al contenido
nav-home = Novedades
nav-logout = Cerrar sesión
home-title = Novedades en sus pilares
home-empty = Todavía no hay registros. Llegan de sus socios, o publique uno con `wsf publish`.
col-when = Fecha
col-kind = Tipo
col-title = Título
col-author = De
col-pillars = Pilares
kind-resource = Recurso
kind-practice = Buena práctica
kind-campaign = Llamado a la acción
kind-profile = Perfil
kind-endorsement = Adhesión
kind-retraction = Retiro
record-title = Registro
record-by = Publicado por
record-published = Publicado el
record-withdrawn = Retirado por su autor.
record-cosigned = { $partners ->
    [one] Firmado también por 1 socio
   *[other] Firmado también por { $partners } socios
} y { $others ->
    [one] 1 organización más
   *[other] { $others } organizaciones más
}
record-id = Identificador
login-failed-title = Este enlace de acceso no funciona
login-failed = El enlace ya se usó o tiene más de un minuto. Ejecute `wsf ui` de nuevo para obtener otro.
login-needed-title = Inicie sesión
login-needed = Abra esta página con el enlace que `wsf ui` muestra o abre; así inicia sesión en este navegador.
not-found-title = No encontrado
not-found = Aquí no existe esa página ni ese registro.
language = Idioma
next-page = Más antiguos
