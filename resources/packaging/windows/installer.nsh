; Included by electron-builder's NSIS installer (electron-builder.yml nsis.include).
; Intune installs it as SYSTEM with /S. Installs the agent as a Windows
; service (WinSW, restarted on failure) and the tray as an HKLM Run entry,
; so every user's session starts it; the uninstaller removes both.

!macro lesmodusService command
  nsExec::ExecToLog '"$INSTDIR\resources\service\lesmodus-agent.exe" ${command}'
  Pop $0
!macroend

!macro customInstall
  ; The agent's data folder: SYSTEM and Administrators only (the device store
  ; holds the credential and teachers' reasons; Windows ignores the modes the
  ; agent sets elsewhere).
  ReadEnvStr $1 PROGRAMDATA
  CreateDirectory "$1\Lesmodus"
  nsExec::ExecToLog 'icacls "$1\Lesmodus" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F /grant:r *S-1-5-32-544:(OI)(CI)F'
  Pop $0
  !insertmacro lesmodusService "install"
  !insertmacro lesmodusService "start"
  SetRegView 64
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Lesmodus" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
  SetRegView lastused
!macroend

!macro customUnInstall
  !insertmacro lesmodusService "stop"
  !insertmacro lesmodusService "uninstall"
  SetRegView 64
  DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Lesmodus"
  SetRegView lastused
!macroend
