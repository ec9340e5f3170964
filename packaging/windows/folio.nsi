; Folio's Windows installer: a per-user install (no administrator rights), a Start menu
; entry, "Open with Folio" for PDFs and images, Tesseract OCR bundled, an uninstaller.
;
;   makensis /DVERSION=0.1.0 /DBUNDLE_DIR=..\dist\folio /DTESSERACT_DIR=C:\tess folio.nsi
;
; BUNDLE_DIR is PyInstaller's one-folder bundle (folio.exe, folio-cli.exe, _internal\);
; TESSERACT_DIR holds tesseract.exe, its DLLs and tessdata\ (with eng.traineddata). Both
; default to the folders packaging\windows\build_installer.ps1 prepares. Paths are relative
; to this script's folder. OUTFILE names the installer.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\dist\folio"
!endif
!ifndef TESSERACT_DIR
  !define TESSERACT_DIR "..\dist\tesseract"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\folio-${VERSION}-setup.exe"
!endif

!define APP_NAME "Folio"
!define APP_EXE "folio.exe"
!define PROG_ID "Folio.Document"
!define PUBLISHER "The Folio authors"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Folio"
!define APP_KEY "Software\Folio"
!define SHCNE_ASSOCCHANGED 0x08000000

!include "MUI2.nsh"
!include "FileFunc.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Folio"
InstallDirRegKey HKCU "${APP_KEY}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "GPL-3.0-or-later"

!define MUI_ICON "..\..\resources\icons\folio.ico"
!define MUI_UNICON "..\..\resources\icons\folio.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start Folio"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; --- "Open with": a ProgID, the types it opens, and Default Programs capabilities -------

!macro RegisterType EXT
  WriteRegStr HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROG_ID}" ""
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}\SupportedTypes" "${EXT}" ""
  WriteRegStr HKCU "${APP_KEY}\Capabilities\FileAssociations" "${EXT}" "${PROG_ID}"
!macroend

!macro UnregisterType EXT
  DeleteRegValue HKCU "Software\Classes\${EXT}\OpenWithProgids" "${PROG_ID}"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "Software\Classes\${EXT}"
!macroend

; Every type Folio reads: PDF, PNG, JPEG, TIFF, BMP, GIF, WebP.
!macro ForEachType MACRO
  !insertmacro ${MACRO} ".pdf"
  !insertmacro ${MACRO} ".png"
  !insertmacro ${MACRO} ".jpg"
  !insertmacro ${MACRO} ".jpeg"
  !insertmacro ${MACRO} ".tif"
  !insertmacro ${MACRO} ".tiff"
  !insertmacro ${MACRO} ".bmp"
  !insertmacro ${MACRO} ".gif"
  !insertmacro ${MACRO} ".webp"
!macroend

; --- Install ---------------------------------------------------------------------------

Section "Folio" SecApp
  SectionIn RO
  SetShellVarContext current
  ; An update replaces the whole bundle, so no file of the previous version lingers.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\Folio.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
    SW_SHOWNORMAL "" "Turn piles of PDFs and scans into searchable text"

  WriteRegStr HKCU "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Tesseract OCR (reads scanned pages)" SecTesseract
  ; find_tesseract() looks for tesseract\ next to folio.exe, with its tessdata\ folder.
  RMDir /r "$INSTDIR\tesseract"
  SetOutPath "$INSTDIR\tesseract"
  File /r "${TESSERACT_DIR}\*.*"
SectionEnd

Section "Open PDFs and images with Folio" SecOpenWith
  WriteRegStr HKCU "Software\Classes\${PROG_ID}" "" "Document for Folio"
  WriteRegStr HKCU "Software\Classes\${PROG_ID}\DefaultIcon" "" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "Software\Classes\${PROG_ID}\shell\open\command" "" '"$INSTDIR\${APP_EXE}" "%1"'
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}" "FriendlyAppName" "${APP_NAME}"
  WriteRegStr HKCU "Software\Classes\Applications\${APP_EXE}\shell\open\command" "" \
    '"$INSTDIR\${APP_EXE}" "%1"'
  WriteRegStr HKCU "${APP_KEY}\Capabilities" "ApplicationName" "${APP_NAME}"
  WriteRegStr HKCU "${APP_KEY}\Capabilities" "ApplicationDescription" \
    "Turn piles of PDFs and scans into searchable text"
  !insertmacro ForEachType RegisterType
  WriteRegStr HKCU "Software\RegisteredApplications" "${APP_NAME}" "${APP_KEY}\Capabilities"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd

Section "-EstimatedSize"
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "Folio itself."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecTesseract} \
    "Tesseract OCR with English, used for pages without a text layer. Leave it out only if Tesseract is installed already."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecOpenWith} \
    "Adds Folio to Open with for PDF, PNG, JPEG, TIFF, BMP, GIF and WebP files. Your default apps stay as they are."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

; --- Uninstall -------------------------------------------------------------------------

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\Folio.lnk"

  !insertmacro ForEachType UnregisterType
  DeleteRegKey HKCU "Software\Classes\${PROG_ID}"
  DeleteRegKey HKCU "Software\Classes\Applications\${APP_EXE}"
  DeleteRegValue HKCU "Software\RegisteredApplications" "${APP_NAME}"
  DeleteRegKey HKCU "${APP_KEY}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'

  ; Only what the installer put there: the folder may have been chosen by hand.
  ; The library (documents and their text) lives in the user's data folder and stays.
  RMDir /r "$INSTDIR\_internal"
  RMDir /r "$INSTDIR\tesseract"
  Delete "$INSTDIR\folio.exe"
  Delete "$INSTDIR\folio-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
